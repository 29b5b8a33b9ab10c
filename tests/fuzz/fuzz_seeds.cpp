// fuzz_seeds OUT_DIR: writes the seed corpus of every fuzz target into OUT_DIR/<target>/ — small valid inputs made
// with tapegrad itself (an ARPA model trained on a few lines, checkpoints of tiny models of every kind and level, a
// tar archive and its .tgz, corpus and vocabulary texts, command lines), so the fuzzer starts from inputs that get
// deep into each reader. Seeds are generated at build time, never committed.
#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lm/neural/model.hpp"
#include "lm/neural/saved_model.hpp"
#include "lm/ngram/arpa.hpp"
#include "lm/ngram/backoff_model.hpp"
#include "lm/ngram/train.hpp"
#include "lm/text/corpus.hpp"
#include "lm/text/vocab.hpp"
#include "nn/checkpoint.hpp"
#include "nn/safetensors.hpp"
#include "ops/random.hpp"

namespace fs = std::filesystem;
namespace lm = tapegrad::lm;

namespace {

const char* const kEnglish = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n\nthe end\n";
const char* const kGerman = "Größe und Übermaß\nschön wär's\n";
const char* const kGreek = "αβγ δέλτα\nκαλημέρα κόσμε\n";
const char* const kChinese = "你好，世界\n语言模型\n";

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void arpa_seeds(const fs::path& dir) {
  const lm::TokenCorpus corpus = lm::TokenCorpus::parse_words(kEnglish, "seed");
  const lm::Vocab vocab = lm::Vocab::build(corpus);
  for (int order : {1, 2, 3}) {
    lm::NgramOptions options;
    options.order = order;
    options.kn.discount_fallback = true;
    const auto model = lm::train_ngram(vocab.encode(corpus), vocab, options);
    std::ostringstream text;
    lm::write_arpa(dynamic_cast<const lm::BackoffModel&>(*model), text);
    write(dir / ("kn" + std::to_string(order) + ".arpa"), text.str());
  }
  write(dir / "hand.arpa",
        "\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1.0\t<unk>\n-0.5\t</s>\n-99\t<s>\t-0.3\n-0.7\ta\t-0.2\n\n"
        "\\2-grams:\n-0.1\t<s> a\n-0.2\ta </s>\n\n\\end\\\n");
}

// The same safetensors file without the checksum in its metadata (files without one load: they come from other
// writers). A mutated data byte fails the checksum before anything else is looked at, so seeds without it let the
// fuzzer reach the later checks: finite values, the forward step, the round trip.
std::string without_checksum(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = length << 8 | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, length));
  header["__metadata__"].erase("tapegrad.checksum");
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data section stays 8-byte aligned
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(text.size() >> (8 * i) & 0xff);
  return out + text + bytes.substr(8 + length);
}

void checkpoint_seeds(const fs::path& checkpoints, const fs::path& safetensors) {
  struct Seed {
    const char* name;
    lm::ModelKind kind;
    lm::TokenLevel level;
    const char* text;
  };
  const Seed seeds[] = {{"window-word", lm::ModelKind::Window, lm::TokenLevel::Word, kEnglish},
                        {"rnn-word", lm::ModelKind::RNN, lm::TokenLevel::Word, kEnglish},
                        {"lstm-char", lm::ModelKind::LSTM, lm::TokenLevel::Char, kEnglish},
                        {"gru-word", lm::ModelKind::GRU, lm::TokenLevel::Word, kGreek}};
  for (const Seed& s : seeds) {
    const lm::TokenCorpus corpus = s.level == lm::TokenLevel::Word ? lm::TokenCorpus::parse_words(s.text, "seed")
                                                                   : lm::TokenCorpus::parse_chars(s.text, "seed");
    const lm::Vocab vocab = lm::Vocab::build(corpus);
    lm::ModelConfig config;
    config.kind = s.kind;
    config.vocab = static_cast<tapegrad::index_t>(vocab.size());
    config.emsize = 3;
    config.nhid = 4;
    config.nlayers = s.kind == lm::ModelKind::LSTM ? 2 : 1;
    config.context = 2;
    tapegrad::Rng rng(1);
    lm::LanguageModel model(config, rng);
    const fs::path path = checkpoints / (std::string(s.name) + ".safetensors");
    fs::create_directories(checkpoints);
    tapegrad::nn::save_checkpoint(path, {.model = &model.module()},
                                  lm::SavedModel::model_metadata(config, vocab, s.level));
    fs::create_directories(safetensors);
    fs::copy_file(path, safetensors / path.filename(), fs::copy_options::overwrite_existing);
    const fs::path bare = checkpoints / (std::string(s.name) + "-no-checksum.safetensors");
    write(bare, without_checksum(path));
    (void)lm::SavedModel::load(bare);  // a seed that does not load would only exercise the first rejection
  }
  // A plain safetensors file with tensors of several dtypes.
  const std::array<float, 6> f32{1, 2, 3, 4, 5, 6};
  const std::array<std::uint8_t, 3> u8{7, 8, 9};
  const std::vector<tapegrad::nn::safetensors::TensorRef> tensors{
      {"weight", tapegrad::nn::safetensors::DType::F32, {2, 3}, std::as_bytes(std::span(f32))},
      {"bytes", tapegrad::nn::safetensors::DType::U8, {3}, std::as_bytes(std::span(u8))},
      {"empty", tapegrad::nn::safetensors::DType::I64, {0, 4}, {}}};
  tapegrad::nn::safetensors::write(safetensors / "plain.safetensors", tensors, {{"note", "a seed"}});
}

void text_seeds(const fs::path& corpus, const fs::path& vocab) {
  int i = 0;
  for (const char* text : {kEnglish, kGerman, kGreek, kChinese}) {
    // The corpus target's first byte chooses the reader: even = words, odd = characters.
    write(corpus / ("words" + std::to_string(i) + ".txt"), std::string(1, '\0') + text);
    write(corpus / ("chars" + std::to_string(i) + ".txt"), std::string(1, '\1') + text);
    const lm::TokenCorpus words = lm::TokenCorpus::parse_words(text, "seed");
    write(vocab / ("words" + std::to_string(i) + ".vocab"), lm::Vocab::build(words).to_text());
    ++i;
  }
  // Escapes of the vocabulary format: a space, a tab, a backslash.
  write(vocab / "escapes.vocab", "<unk>\n</s>\n\\x20\n\\x09\n\\\\\na\\x0Ab\n");
}

// One ustar header block for a regular file, checksum filled in.
std::string tar_header(const std::string& name, std::size_t size) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011zo", size);
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  h[155] = ' ';
  return h;
}

std::string tar_image(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string tar;
  for (const auto& [name, data] : files) {
    tar += tar_header(name, data.size());
    tar += data;
    tar.append((512 - data.size() % 512) % 512, '\0');
  }
  tar.append(1024, '\0');
  return tar;
}

std::string gzip(const std::string& bytes) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("zlib");
  std::string out(deflateBound(&z, bytes.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate");
  return out;
}

const char* const kBrown =
    "\n\n\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn ./.\n"
    "\n\n\tThe/at jury/nn further/rbr said/vbd and/or/cc ``/`` it/pps did/dod ''/'' //in ./.\n";

void archive_seeds(const fs::path& tar, const fs::path& brown) {
  const std::string image = tar_image({{"package/ca01", kBrown}, {"package/README", "not a corpus file\n"}});
  write(tar / "brown.tar", image);
  write(tar / "brown.tgz", gzip(image));
  write(tar / "empty.tar", std::string(1024, '\0'));
  write(brown / "ca01", kBrown);
  write(brown / "short", "a/at b/nn\n");
}

void cli_seeds(const fs::path& dir) {
  // Arguments separated by NUL bytes, as the cli target splits them.
  const std::vector<std::vector<std::string>> lines{
      {"train", "--data", "data/ptb", "--model", "lstm", "--emsize", "8", "--nhid", "8", "--epochs", "1"},
      {"train", "--data", "t.txt", "--level", "char", "--threads", "2", "--save", "m.safetensors"},
      {"eval", "--checkpoint", "m.safetensors", "--data", "t.txt", "--batch-size", "1"},
      {"generate", "--checkpoint", "m.safetensors", "--length", "5", "--temperature", "0.8", "--top-k", "3"},
      {"predict", "--checkpoint", "m.safetensors", "--context", "the cat", "-k", "5"},
      {"score", "--checkpoint", "m.safetensors", "--text", "the cat sat"},
      {"ngram", "train", "--data", "t.txt", "--order", "3", "--arpa", "m.arpa"},
      {"ngram", "eval", "--arpa", "m.arpa", "--data", "t.txt"},
      {"data", "brown", "--help"},
      {"--version"}};
  int i = 0;
  for (const auto& line : lines) {
    std::string bytes;
    for (std::size_t k = 0; k < line.size(); ++k) bytes += (k ? std::string(1, '\0') : "") + line[k];
    write(dir / ("cmd" + std::to_string(i++)), bytes);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds OUT_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  try {
    arpa_seeds(out / "arpa");
    checkpoint_seeds(out / "checkpoint", out / "safetensors");
    text_seeds(out / "corpus", out / "vocab");
    archive_seeds(out / "tar", out / "brown");
    cli_seeds(out / "cli");
  } catch (const std::exception& e) {
    std::cerr << "fuzz_seeds: " << e.what() << '\n';
    return 1;
  }
  std::cout << "fuzz_seeds: seeds written to " << out.string() << '\n';
  return 0;
}

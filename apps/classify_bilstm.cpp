// `tapegrad classify --model bilstm`: the neural sentence classifier (lm/classify/bilstm_classifier.hpp) — a
// (bidirectional) RNN over word embeddings (optionally ⊕ a character BiLSTM per word), pooled per sentence.
#include <iostream>
#include <memory>

#include "apps/classify.hpp"
#include "apps/flag_checks.hpp"
#include "lm/classify/bilstm_classifier.hpp"

namespace tapegrad::cli {

namespace {

struct BiLstmFlags {
  std::string cell = "lstm", pool = "max";
  index_t layers = 1, hidden = 100, word_dim = 100, char_dim = 0, char_hidden = 25;
  bool unidirectional = false;
  float dropout = 0.5f, word_dropout = 0.25f, lr = 1e-3f, lr_decay = 1.0f, clip = 5.0f, weight_decay = 0.0f;
  std::size_t epochs = 8, batch_size = 32, patience = 3;
  std::uint64_t seed = 1;
  std::string init_from;
};

}  // namespace

ClassifierKind bilstm_kind() {
  auto f = std::make_shared<BiLstmFlags>();
  ClassifierKind k;
  k.name = "bilstm";
  k.description = "bidirectional RNN over word embeddings, pooled per sentence (Adam, epoch chosen on valid)";
  k.add_flags = [f](CLI::Option_group& g) {
    g.add_option("--cell", f->cell, "bilstm: lstm | gru | rnn")->capture_default_str();
    g.add_option("--pool", f->pool, "bilstm: last | mean | max")->capture_default_str();
    g.add_flag("--unidirectional", f->unidirectional, "bilstm: one direction only");
    g.add_option("--layers", f->layers, "bilstm: stacked layers")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxLayers));
    g.add_option("--hidden", f->hidden, "bilstm: hidden size per direction")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxWidth));
    g.add_option("--word-dim", f->word_dim, "bilstm: word embedding size")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxWidth));
    g.add_option("--char-dim", f->char_dim, "bilstm: character embedding size (0: words only)")
        ->capture_default_str()
        ->check(flag::whole(0, flag::kMaxWidth));
    g.add_option("--char-hidden", f->char_hidden, "bilstm: character BiLSTM size per direction")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxWidth));
    g.add_option("--dropout", f->dropout, "bilstm: dropout on token vectors, RNN outputs, pooled vector")
        ->capture_default_str()
        ->check(flag::real(0, 0.99));
    g.add_option("--word-dropout", f->word_dropout, "bilstm: α; a word seen c times becomes <unk> w.p. α/(α+c)")
        ->capture_default_str()
        ->check(flag::real(0));
    g.add_option("--lr", f->lr, "bilstm: Adam learning rate")->capture_default_str()->check(flag::real_above(0));
    g.add_option("--lr-decay", f->lr_decay, "bilstm: learning-rate factor after every epoch")
        ->capture_default_str()
        ->check(flag::real_above(0, 1));
    g.add_option("--weight-decay", f->weight_decay, "bilstm: L2 weight decay")
        ->capture_default_str()
        ->check(flag::real(0));
    g.add_option("--clip", f->clip, "bilstm: gradient norm clipping (0: off)")
        ->capture_default_str()
        ->check(flag::real(0));
    g.add_option("--epochs", f->epochs, "bilstm: at most this many epochs")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxEpochs));
    g.add_option("--batch-size", f->batch_size, "bilstm: sentences per batch")
        ->capture_default_str()
        ->check(flag::whole(1, flag::kMaxBatch));
    g.add_option("--patience", f->patience, "bilstm: stop after this many epochs without a better valid score")
        ->capture_default_str()
        ->check(flag::whole(0, flag::kMaxEpochs));
    g.add_option("--seed", f->seed, "bilstm: random seed")->capture_default_str();
    g.add_option("--init-from", f->init_from,
                 "bilstm: start the word embeddings and forward cells from this language model (tapegrad train)");
  };
  k.check = [f] {
    lm::parse_pool(f->pool);
    nn::parse_cell_type(f->cell);
  };
  k.train = [f](const lm::LabelledCorpus& train, const lm::LabelledCorpus& valid, const ClassifyOptions& o) {
    lm::ClassifierTrainSpec spec;
    spec.encoder.cell = nn::parse_cell_type(f->cell);
    spec.encoder.bidirectional = !f->unidirectional;
    spec.encoder.layers = f->layers;
    spec.encoder.hidden = f->hidden;
    spec.encoder.word_dim = f->word_dim;
    spec.encoder.char_dim = f->char_dim;
    spec.encoder.char_hidden = f->char_hidden;
    spec.encoder.dropout = f->dropout;
    spec.encoder.word_dropout = f->word_dropout;
    spec.pool = lm::parse_pool(f->pool);
    spec.train.lr = f->lr;
    spec.train.lr_decay = f->lr_decay;
    spec.train.weight_decay = f->weight_decay;
    spec.train.clip = f->clip;
    spec.train.epochs = f->epochs;
    spec.train.batching.batch_size = f->batch_size;
    spec.train.patience = f->patience;
    spec.train.seed = f->seed;
    spec.init_from = f->init_from;
    spec.train.progress = !o.quiet;
    std::ostream null_stream(nullptr);
    return std::make_unique<lm::BiLstmClassifier>(
        lm::BiLstmClassifier::train(train, valid, spec, o.quiet ? null_stream : std::cerr));
  };
  k.recognises = [](const std::string& path) { return lm::BiLstmClassifier::is_checkpoint_path(path); };
  k.load = [](const std::string& path) { return std::make_unique<lm::BiLstmClassifier>(lm::BiLstmClassifier::load(path)); };
  return k;
}

}  // namespace tapegrad::cli

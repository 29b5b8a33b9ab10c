// init_encoder_from_lm: copy an LM's embeddings and forward recurrent weights into an encoder (see lm_init.hpp).
#include "lm/classify/lm_init.hpp"

#include <algorithm>
#include <cstring>

#include "lm/neural/saved_model.hpp"
#include "ops/error.hpp"

namespace tapegrad::lm {

namespace {

// dst (rows_dst × cols) ← the first min(rows) rows of src (rows_src × cols), row by row.
void copy_rows(const Tensor& src, Tensor& dst, index_t rows) {
  const index_t cols = dst.shape().cols();
  if (src.shape().cols() != cols)
    throw UsageError("init-from: a weight of width " + std::to_string(src.shape().cols()) + " for one of width " +
                     std::to_string(cols));
  std::memcpy(dst.data(), src.data(), static_cast<std::size_t>(rows * cols) * sizeof(float));
}

}  // namespace

LmInitReport init_encoder_from_lm(SentenceEncoder& encoder, const SymbolTable& words, const std::string& lm_path) {
  SavedModel lm = SavedModel::load(lm_path);
  const ModelConfig& c = lm.config;
  const EncoderConfig& e = encoder.config();
  const auto fail = [&](const std::string& what) {
    throw UsageError("--init-from " + lm_path + " (" + c.describe() + "): " + what);
  };
  if (!c.recurrent()) fail("a window model has no recurrent cells to start from");
  if (c.cell_type() != e.cell)
    fail(std::string("its cell is ") + nn::cell_type_name(c.cell_type()) + ", the classifier's " +
         nn::cell_type_name(e.cell));
  if (c.emsize != e.word_dim) fail("emsize " + std::to_string(c.emsize) + " ≠ --word-dim " + std::to_string(e.word_dim));
  if (c.nhid != e.hidden) fail("nhid " + std::to_string(c.nhid) + " ≠ --hidden " + std::to_string(e.hidden));
  if (c.gru_reset_after) fail("its GRU applies the reset after the product; the classifier's GRU before it");
  if (c.nlayers < e.layers)
    fail(std::to_string(c.nlayers) + " layer(s) for a " + std::to_string(e.layers) + "-layer classifier");

  LmInitReport report;
  report.lm = c.describe();
  RNNLM& source = lm.model->rnn();
  // Word embeddings, by word.
  const Tensor& table = source.embedding().table().value();
  Tensor& mine = encoder.words().table().value();
  for (std::size_t id = 2; id < words.size(); ++id) {
    ++report.words_total;
    const auto lm_id = lm.vocab.find(words.symbol(static_cast<std::int32_t>(id)));
    if (!lm_id) continue;
    std::memcpy(mine.data() + static_cast<index_t>(id) * e.word_dim, table.data() + *lm_id * e.word_dim,
                static_cast<std::size_t>(e.word_dim) * sizeof(float));
    ++report.words_copied;
  }
  // Forward cells, layer by layer.
  for (index_t l = 0; l < e.layers; ++l) {
    nn::RecurrentCell& from = source.rnn().cell(l);
    nn::RecurrentCell& to = encoder.rnn().cell(l, 0);
    if (l == 0)
      copy_rows(from.W_ih().value(), to.W_ih().value(), e.word_dim);  // the word rows (characters follow them)
    else if (from.W_ih().shape() == to.W_ih().shape())
      to.W_ih().value() = from.W_ih().value();
    else  // a bidirectional layer above reads [forward ⊕ backward]: the forward half's rows come from the LM
      copy_rows(from.W_ih().value(), to.W_ih().value(), e.hidden);
    to.W_hh().value() = from.W_hh().value();
    to.b().value() = from.b().value();
    ++report.layers_copied;
  }
  return report;
}

}  // namespace tapegrad::lm

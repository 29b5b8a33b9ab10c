// Inspection of a sentence classifier: gate trajectories recomputed from the cell's parameters, prefix probabilities,
// the SVG heat map, the text table and JSON; the negation study (see inspect.hpp for the formulas).
#include "lm/classify/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "autograd/functions.hpp"
#include "nn/gru_cell.hpp"
#include "ops/error.hpp"
#include "ops/text.hpp"

namespace tapegrad::lm {

namespace ag = autograd;
using nlohmann::json;

// ---- traces ----

double DirectionTrace::gate_mean(std::size_t gate, std::size_t t) const {
  const std::vector<double>& g = gates[gate][t];
  double s = 0;
  for (double v : g) s += v;
  return g.empty() ? 0.0 : s / static_cast<double>(g.size());
}

namespace {

double norm2(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string join(const std::vector<std::string>& tokens) {
  std::string s;
  for (const std::string& t : tokens) s += (s.empty() ? "" : " ") + t;
  return s;
}

// out[j] += Σ_i v[i] · W[i, offset + j] for j < n, W row-major with `cols` columns.
void add_product(const std::vector<double>& v, const float* W, index_t cols, index_t offset, index_t n,
                 std::vector<double>& out) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double vi = v[i];
    if (vi == 0.0) continue;
    const float* row = W + static_cast<index_t>(i) * cols + offset;
    for (index_t j = 0; j < n; ++j) out[static_cast<std::size_t>(j)] += vi * static_cast<double>(row[j]);
  }
}

// One direction of layer 0 recomputed from the cell's parameters over the token vectors x (T rows of I values).
DirectionTrace recompute(nn::RecurrentCell& cell, const std::vector<std::vector<double>>& x, bool reverse) {
  const index_t H = cell.hidden_size(), G = cell.gate_count(), GH = G * H;
  const std::size_t T = x.size(), uH = static_cast<std::size_t>(H);
  const float* W_ih = cell.W_ih().value().data();
  const float* W_hh = cell.W_hh().value().data();
  const float* b = cell.b().value().data();
  DirectionTrace d;
  d.name = reverse ? "backward" : "forward";
  const bool lstm = cell.type() == nn::CellType::LSTM;
  d.gate_names = lstm ? std::vector<std::string>{"input", "forget", "output"}
                      : std::vector<std::string>{"reset", "update"};
  d.gates.assign(d.gate_names.size(), std::vector<std::vector<double>>(T, std::vector<double>(uH)));
  d.h.assign(T, std::vector<double>(uH));
  if (lstm) d.c.assign(T, std::vector<double>(uH));
  nn::GRUCell* gru = lstm ? nullptr : dynamic_cast<nn::GRUCell*>(&cell);
  const float* b_hn = gru && gru->reset_after() ? gru->b_hn()->value().data() : nullptr;

  std::vector<double> h(uH, 0.0), c(uH, 0.0), a(static_cast<std::size_t>(GH)), hU(uH), rh(uH);
  for (std::size_t k = 0; k < T; ++k) {
    const std::size_t t = reverse ? T - 1 - k : k;
    // a = x_t W_ih + b (every gate block), then + h_prev W_hh for the blocks that take it directly
    for (index_t j = 0; j < GH; ++j) a[static_cast<std::size_t>(j)] = b[j];
    add_product(x[t], W_ih, GH, 0, GH, a);
    if (lstm) {
      add_product(h, W_hh, GH, 0, GH, a);
      for (std::size_t j = 0; j < uH; ++j) {
        const double i = sigmoid(a[j]), f = sigmoid(a[uH + j]), g = std::tanh(a[2 * uH + j]),
                     o = sigmoid(a[3 * uH + j]);
        c[j] = f * c[j] + i * g;  // c_t = f ⊙ c_prev + i ⊙ g
        h[j] = o * std::tanh(c[j]);  // h_t = o ⊙ tanh(c_t)
        d.gates[0][t][j] = i, d.gates[1][t][j] = f, d.gates[2][t][j] = o;
      }
      d.c[t] = c;
    } else {
      // r and z take h_prev U directly; the candidate n takes (r ⊙ h_prev) U_n, or r ⊙ (h_prev U_n + b_hn)
      std::vector<double> rz(static_cast<std::size_t>(2 * H), 0.0);
      add_product(h, W_hh, GH, 0, 2 * H, rz);
      std::vector<double> r(uH), z(uH);
      for (std::size_t j = 0; j < uH; ++j) r[j] = sigmoid(a[j] + rz[j]), z[j] = sigmoid(a[uH + j] + rz[uH + j]);
      std::fill(hU.begin(), hU.end(), 0.0);
      if (b_hn) {
        add_product(h, W_hh, GH, 2 * H, H, hU);
        for (std::size_t j = 0; j < uH; ++j) hU[j] = r[j] * (hU[j] + b_hn[j]);
      } else {
        for (std::size_t j = 0; j < uH; ++j) rh[j] = r[j] * h[j];
        add_product(rh, W_hh, GH, 2 * H, H, hU);
      }
      for (std::size_t j = 0; j < uH; ++j) {
        const double n = std::tanh(a[2 * uH + j] + hU[j]);
        h[j] = (1 - z[j]) * h[j] + z[j] * n;  // h_t = (1 − z) ⊙ h_prev + z ⊙ n
        d.gates[0][t][j] = r[j], d.gates[1][t][j] = z[j];
      }
    }
    d.h[t] = h;
  }
  return d;
}

}  // namespace

double DirectionTrace::h_norm(std::size_t t) const { return norm2(h[t]); }
double DirectionTrace::c_norm(std::size_t t) const {
  return c.empty() ? std::numeric_limits<double>::quiet_NaN() : norm2(c[t]);
}
std::optional<std::size_t> DirectionTrace::previous(std::size_t t) const {
  if (name == "backward") return t + 1 < steps() ? std::optional<std::size_t>(t + 1) : std::nullopt;
  return t > 0 ? std::optional<std::size_t>(t - 1) : std::nullopt;
}

int SentenceTrace::predicted() const {
  return static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
}

SentenceTrace inspect_sentence(NeuralClassifier& model, const std::vector<std::string>& tokens, bool prefixes) {
  if (tokens.empty()) throw UsageError("inspect: the sentence is empty (give at least one token)");
  const EncoderConfig& config = model.config();
  if (config.cell == nn::CellType::RNN)
    throw UsageError("inspect: the classifier's encoder is a plain RNN (" + config.describe() +
                     "), which has no gates: gate trajectories exist for LSTM (input, forget, output) and GRU (reset, "
                     "update) cells only");
  SentenceTrace s;
  s.tokens = tokens;
  s.labels = model.labels();
  s.model = config.describe() + ", " + pool_name(model.pool()) + " pooling";
  s.cell = nn::cell_type_name(config.cell);
  s.hidden = config.hidden;
  s.layers = config.layers;

  const bool was_training = model.is_training();
  model.eval();
  const std::vector<std::vector<std::string>> one = {tokens};
  const EncodedSentences data = model.vocab().encode(one, config);
  for (std::int32_t id : data.words[0]) s.known.push_back(id != SymbolTable::kUnk);
  const std::vector<std::size_t> items = {0};
  PaddedBatch batch;
  pad_batch(items, [&](std::size_t i) { return std::span<const std::int32_t>(data.words[i]); }, SymbolTable::kPad,
            batch);
  ag::Tape tape;
  ag::NoGradGuard no_grad(tape);
  Rng rng(0);
  const Tensor p = ag::softmax(model.scores(tape, batch, data, rng)).to_tensor();
  s.probabilities.assign(p.data(), p.data() + p.numel());

  // x_t as the RNN read it (T × 1 × I), and the recurrences recomputed from it
  SentenceEncoder& encoder = model.encoder();
  const ConstTensorView xv = encoder.rnn_inputs().value();
  const std::size_t T = tokens.size();
  const index_t I = xv.shape[2];
  std::vector<std::vector<double>> x(T, std::vector<double>(static_cast<std::size_t>(I)));
  for (std::size_t t = 0; t < T; ++t)
    for (index_t i = 0; i < I; ++i) x[t][static_cast<std::size_t>(i)] = xv.data[static_cast<index_t>(t) * I + i];
  nn::Recurrent& rnn = encoder.rnn();
  for (index_t d = 0; d < rnn.directions(); ++d) {
    s.directions.push_back(recompute(rnn.cell(0, d), x, d == 1));
    const nn::UnrollResult& run = encoder.sequence().runs[static_cast<std::size_t>(d)];
    for (std::size_t t = 0; t < T; ++t) {
      const ConstTensorView hv = run.hidden[t].value();
      for (std::size_t j = 0; j < static_cast<std::size_t>(rnn.hidden_size()); ++j)
        s.max_h_difference =
            std::max(s.max_h_difference, std::fabs(static_cast<double>(hv.data[j]) - s.directions.back().h[t][j]));
    }
  }

  if (prefixes) {
    std::vector<std::vector<std::string>> cut;
    for (std::size_t t = 0; t < T; ++t) cut.emplace_back(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(t + 1));
    for (const std::vector<float>& q : model.probabilities(model.vocab().encode(cut, config)))
      s.prefix_probabilities.emplace_back(q.begin(), q.end());
  }
  model.train(was_training);
  return s;
}

// ---- the SVG figure ----

namespace {

// A colour for v in [0, 1]: piecewise-linear through five samples of the viridis map (dark violet → yellow).
std::string heat_colour(double v) {
  static const double stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  if (!std::isfinite(v)) return "#cccccc";
  v = std::clamp(v, 0.0, 1.0) * 4.0;
  const int k = std::min(3, static_cast<int>(v));
  const double u = v - k;
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(stops[k][0] + u * (stops[k + 1][0] - stops[k][0]))),
                static_cast<int>(std::lround(stops[k][1] + u * (stops[k + 1][1] - stops[k][1]))),
                static_cast<int>(std::lround(stops[k][2] + u * (stops[k + 1][2] - stops[k][2]))));
  return buf;
}

// A colour for v in [−1, 1]: blue (−1) through white (0) to red (+1).
std::string diverging_colour(double v) {
  if (!std::isfinite(v)) return "#cccccc";
  v = std::clamp(v, -1.0, 1.0);
  const double to[3] = {v < 0 ? 33.0 : 178.0, v < 0 ? 102.0 : 24.0, v < 0 ? 172.0 : 43.0};
  const double u = std::fabs(v);
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(255 + u * (to[0] - 255))),
                static_cast<int>(std::lround(255 + u * (to[1] - 255))), static_cast<int>(std::lround(255 + u * (to[2] - 255))));
  return buf;
}

std::string num(double v) {  // coordinates: at most 2 decimals, no trailing zeros
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

struct Canvas {
  std::ostringstream body;
  void rect(double x, double y, double w, double h, const std::string& fill, const std::string& extra = "") {
    body << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w) << "\" height=\"" << num(h)
         << "\" fill=\"" << fill << '"' << extra << "/>\n";
  }
  void text(double x, double y, const std::string& s, const std::string& attrs = "") {
    body << "<text x=\"" << num(x) << "\" y=\"" << num(y) << '"' << (attrs.empty() ? "" : " " + attrs) << '>'
         << xml_escape(s) << "</text>\n";
  }
};

std::string title_of(const std::string& gate) {
  if (gate == "input") return "input gate i";
  if (gate == "forget") return "forget gate f";
  if (gate == "output") return "output gate o";
  if (gate == "reset") return "reset gate r";
  if (gate == "update") return "update gate z";
  return gate;
}

}  // namespace

std::string trace_svg(const SentenceTrace& s, const TraceSvgOptions& options) {
  const std::size_t T = s.tokens.size();
  const double cw = 38, left = 190, row = 17, bar_row = 24;
  const index_t H = s.hidden;
  const double uh = H <= 40 ? 4 : H <= 80 ? 3 : H <= 160 ? 2 : 1;  // pixels per unit in the per-unit maps
  const double x0 = left;
  const double legend_x = std::max(x0 + cw * static_cast<double>(T) + 30, 640.0);
  const double width = legend_x + 150;
  const auto cx = [&](std::size_t t) { return x0 + cw * static_cast<double>(t); };
  Canvas c;
  double y = 0;

  // the per-unit maps: the activation itself (0 … 1), or its deviation from the unit's mean over the sentence,
  // g_j(t) − (1/T) Σ_u g_j(u), on a diverging scale ±R with R the largest |deviation| of the figure
  const auto unit_mean = [&](const DirectionTrace& d, std::size_t g, std::size_t j) {
    double m = 0;
    for (std::size_t t = 0; t < T; ++t) m += d.gates[g][t][j];
    return m / static_cast<double>(T);
  };
  double R = 0;
  for (const DirectionTrace& d : s.directions)
    for (std::size_t g = 0; g < d.gate_names.size(); ++g)
      for (std::size_t j = 0; j < static_cast<std::size_t>(H); ++j) {
        const double m = unit_mean(d, g, j);
        for (std::size_t t = 0; t < T; ++t) R = std::max(R, std::fabs(d.gates[g][t][j] - m));
      }
  if (R <= 0) R = 1e-6;

  // title and the tokens
  const int pred = s.predicted();
  char diff[32];
  std::snprintf(diff, sizeof diff, "%.1e", s.max_h_difference);
  c.text(12, 22, "\u201C" + join(s.tokens) + "\u201D", "font-size=\"15\" font-weight=\"bold\"");
  c.text(12, 40,
         s.model + " \u2014 predicted " + s.labels[static_cast<std::size_t>(pred)] + " (P = " +
             fixed(s.probabilities[static_cast<std::size_t>(pred)], 3) + ")",
         "font-size=\"11\" fill=\"#444\"");
  c.text(12, 55,
         "layer 0 of " + std::to_string(s.layers) + ", " + std::to_string(H) +
             " units per direction; gates recomputed from the weights (h_t equal the encoder's to " + diff + ")",
         "font-size=\"11\" fill=\"#444\"");
  y = 140;  // baseline of the rotated token labels
  for (std::size_t t = 0; t < T; ++t) {
    const double tx = cx(t) + cw / 2;
    c.body << "<text transform=\"translate(" << num(tx + 3) << ',' << num(y) << ") rotate(-50)\" font-size=\"12\""
           << (s.known[t] ? "" : " fill=\"#999\" font-style=\"italic\"") << '>' << xml_escape(s.tokens[t])
           << "</text>\n";
    c.text(tx, y + 14, std::to_string(t), "font-size=\"9\" fill=\"#666\" text-anchor=\"middle\"");
  }
  y += 24;

  const auto section = [&](const std::string& title) {
    c.text(12, y + 13, title, "font-size=\"12\" font-weight=\"bold\"");
    y += 20;
  };
  // one row of heat cells with the value written in each
  const auto heat_row = [&](const std::string& label, const std::vector<double>& v) {
    c.text(left - 8, y + row - 5, label, "font-size=\"11\" text-anchor=\"end\"");
    for (std::size_t t = 0; t < T; ++t) {
      c.rect(cx(t), y, cw - 1, row - 1, heat_colour(v[t]));
      c.text(cx(t) + cw / 2, y + row - 5, fixed(v[t], 2),
             std::string("font-size=\"9\" text-anchor=\"middle\" fill=\"") + (v[t] < 0.6 ? "white" : "black") + '"');
    }
    y += row;
  };
  // one row of bars (height ∝ value / top) with the value written above
  const auto bar_row_of = [&](const std::string& label, const std::vector<double>& v, double top) {
    c.text(left - 8, y + bar_row - 6, label, "font-size=\"11\" text-anchor=\"end\"");
    c.rect(cx(0), y, cw * static_cast<double>(T) - 1, bar_row - 1, "#f4f4f4");
    for (std::size_t t = 0; t < T; ++t) {
      const double h = top > 0 ? (bar_row - 11) * v[t] / top : 0;
      c.rect(cx(t) + 6, y + bar_row - 1 - h, cw - 13, h, "#7a7a7a");
      c.text(cx(t) + cw / 2, y + 8, fixed(v[t], 2), "font-size=\"8\" text-anchor=\"middle\" fill=\"#333\"");
    }
    y += bar_row;
  };

  if (!s.prefix_probabilities.empty()) {
    section("P(class | tokens 0 \u2026 t): the sentence cut after token t, classified");
    for (std::size_t k = 0; k < s.labels.size(); ++k) {
      std::vector<double> v(T);
      for (std::size_t t = 0; t < T; ++t) v[t] = s.prefix_probabilities[t][k];
      heat_row("P(" + s.labels[k] + ")", v);
    }
    y += 10;
  }
  double top_norm = 0;
  for (const DirectionTrace& d : s.directions)
    for (std::size_t t = 0; t < T; ++t)
      top_norm = std::max({top_norm, d.h_norm(t), d.c.empty() ? 0.0 : d.c_norm(t)});
  for (const DirectionTrace& d : s.directions) {
    section(d.name + " direction, reading t = " +
            (d.name == "forward" ? "0 \u2192 " + std::to_string(T - 1) : std::to_string(T - 1) + " \u2192 0"));
    for (std::size_t g = 0; g < d.gate_names.size(); ++g) {
      std::vector<double> v(T);
      for (std::size_t t = 0; t < T; ++t) v[t] = d.gate_mean(g, t);
      heat_row("mean " + title_of(d.gate_names[g]), v);
    }
    y += 4;
    if (!d.c.empty()) {
      std::vector<double> v(T);
      for (std::size_t t = 0; t < T; ++t) v[t] = d.c_norm(t);
      bar_row_of("\u2016c_t\u2016", v, top_norm);
    }
    std::vector<double> v(T);
    for (std::size_t t = 0; t < T; ++t) v[t] = d.h_norm(t);
    bar_row_of("\u2016h_t\u2016", v, top_norm);
    y += 8;
    for (std::size_t g = 0; g < d.gate_names.size(); ++g) {
      c.text(left - 8, y + 12, title_of(d.gate_names[g]) + " per unit", "font-size=\"11\" text-anchor=\"end\"");
      c.text(left - 8, y + 25, options.absolute ? "activation" : "minus the unit's mean",
             "font-size=\"9\" fill=\"#666\" text-anchor=\"end\"");
      c.text(left - 8, y + 37, "units 0\u2013" + std::to_string(H - 1) + ", top down",
             "font-size=\"9\" fill=\"#666\" text-anchor=\"end\"");
      c.body << "<g shape-rendering=\"crispEdges\">\n";
      for (std::size_t j = 0; j < static_cast<std::size_t>(H); ++j) {
        const double m = options.absolute ? 0.0 : unit_mean(d, g, j);
        for (std::size_t t = 0; t < T; ++t) {
          const double v = d.gates[g][t][j];
          c.rect(cx(t), y + uh * static_cast<double>(j), cw - 1, uh,
                 options.absolute ? heat_colour(v) : diverging_colour((v - m) / R));
        }
      }
      c.body << "</g>\n";
      y += uh * static_cast<double>(H) + 6;
    }
    y += 10;
  }
  y += 10;

  // the colour scales, at the right of the first rows
  const double lx = legend_x, lh = 150;
  double ly = 90;
  const auto scale = [&](const std::string& title, const std::string& subtitle, const auto& colour,
                         const std::vector<std::pair<double, std::string>>& ticks) {
    c.text(lx - 4, ly, title, "font-size=\"10\"");
    c.text(lx - 4, ly + 12, subtitle, "font-size=\"9\" fill=\"#666\"");
    const double top = ly + 20;
    c.body << "<g shape-rendering=\"crispEdges\">\n";
    for (int k = 0; k < 40; ++k) c.rect(lx, top + lh * k / 40.0, 16, lh / 40.0 + 0.5, colour(1.0 - (k + 0.5) / 40.0));
    c.body << "</g>\n";
    for (const auto& [at, label] : ticks) c.text(lx + 21, top + lh * (1 - at) + 4, label, "font-size=\"10\"");
    ly = top + lh + 34;
  };
  scale("gate mean, P(class)", "0 \u2026 1", heat_colour, {{0, "0"}, {0.25, "0.25"}, {0.5, "0.5"}, {0.75, "0.75"}, {1, "1"}});
  if (options.absolute)
    scale("per-unit maps", "the same scale", heat_colour, {{0, "0"}, {0.5, "0.5"}, {1, "1"}});
  else
    scale("per-unit maps", "g_j(t) \u2212 mean_t g_j(t)", [](double v) { return diverging_colour(2 * v - 1); },
          {{0, "\u2212" + fixed(R, 3)}, {0.5, "0"}, {1, "+" + fixed(R, 3)}});
  c.text(lx - 4, ly, "grey italic token: not in", "font-size=\"9\" fill=\"#666\"");
  c.text(lx - 4, ly + 12, "the vocabulary (<unk>)", "font-size=\"9\" fill=\"#666\"");
  y = std::max(y, ly + 30);

  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\"" << num(y)
      << "\" viewBox=\"0 0 " << num(width) << ' ' << num(y) << "\" font-family=\"sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << c.body.str() << "</svg>\n";
  return svg.str();
}

// ---- the table and JSON ----

std::string trace_table(const SentenceTrace& s) {
  const std::size_t T = s.tokens.size();
  std::ostringstream out;
  std::size_t unknown = 0;
  for (bool k : s.known) unknown += k ? 0 : 1;
  const int pred = s.predicted();
  out << "sentence: " << join(s.tokens) << " (" << T << " tokens, " << unknown << " not in the vocabulary)\n"
      << "model: " << s.model << '\n'
      << "prediction: " << s.labels[static_cast<std::size_t>(pred)] << " (";
  for (std::size_t k = 0; k < s.labels.size(); ++k)
    out << (k ? ", " : "") << "P(" << s.labels[k] << ") = " << fixed(s.probabilities[k], 4);
  char diff[32];
  std::snprintf(diff, sizeof diff, "%.1e", s.max_h_difference);
  out << ")\nlayer 0 of " << s.layers << ", " << s.hidden << " units per direction; gates are means over the units; "
      << "recomputed h_t equal the encoder's to " << diff << " (max |difference|)\n\n";
  std::size_t tw = 5;
  for (const std::string& t : s.tokens) tw = std::max(tw, std::min<std::size_t>(t.size(), 18));
  char buf[64];
  std::string head = "   t  " + std::string("token") + std::string(tw - 5 + 1, ' ');
  if (!s.prefix_probabilities.empty())
    for (const std::string& l : s.labels) {
      std::snprintf(buf, sizeof buf, " %9s", ("P(" + l.substr(0, 3) + ")").c_str());
      head += buf;
    }
  for (const DirectionTrace& d : s.directions) {
    head += "  |";
    for (const std::string& g : d.gate_names) {
      std::snprintf(buf, sizeof buf, " %6s", (std::string(d.name == "forward" ? "fw " : "bw ") + g.substr(0, 1)).c_str());
      head += buf;
    }
    if (!d.c.empty()) head += "    \u2016c\u2016";
    head += "    \u2016h\u2016";
  }
  out << head << '\n';
  for (std::size_t t = 0; t < T; ++t) {
    std::string tok = s.tokens[t].size() > 18 ? s.tokens[t].substr(0, 17) + "~" : s.tokens[t];
    if (!s.known[t]) tok += "*";
    std::snprintf(buf, sizeof buf, "%4zu  %-*s", t, static_cast<int>(tw + 1), tok.c_str());
    std::string line = buf;
    if (!s.prefix_probabilities.empty())
      for (double p : s.prefix_probabilities[t]) {
        std::snprintf(buf, sizeof buf, " %9.4f", p);
        line += buf;
      }
    for (const DirectionTrace& d : s.directions) {
      line += "  |";
      for (std::size_t g = 0; g < d.gate_names.size(); ++g) {
        std::snprintf(buf, sizeof buf, " %6.3f", d.gate_mean(g, t));
        line += buf;
      }
      if (!d.c.empty()) {
        std::snprintf(buf, sizeof buf, " %6.2f", d.c_norm(t));
        line += buf;
      }
      std::snprintf(buf, sizeof buf, " %6.2f", d.h_norm(t));
      line += buf;
    }
    out << line << '\n';
  }
  if (unknown > 0) out << "(* not in the model's vocabulary: read as <unk>)\n";
  return out.str();
}

namespace {

json trace_to_json(const SentenceTrace& s) {
  json dirs = json::array();
  for (const DirectionTrace& d : s.directions) {
    json gates = json::object();
    for (std::size_t g = 0; g < d.gate_names.size(); ++g) {
      json mean = json::array();
      for (std::size_t t = 0; t < d.steps(); ++t) mean.push_back(d.gate_mean(g, t));
      gates[d.gate_names[g]] = {{"mean", mean}, {"units", d.gates[g]}};
    }
    json h_norm = json::array(), c_norm = json::array();
    for (std::size_t t = 0; t < d.steps(); ++t) {
      h_norm.push_back(d.h_norm(t));
      if (!d.c.empty()) c_norm.push_back(d.c_norm(t));
    }
    json one = {{"direction", d.name}, {"gates", gates}, {"h_norm", h_norm}};
    if (!d.c.empty()) one["c_norm"] = c_norm;
    dirs.push_back(one);
  }
  json j = {{"tokens", s.tokens},
            {"known", s.known},
            {"labels", s.labels},
            {"model", s.model},
            {"cell", s.cell},
            {"hidden", s.hidden},
            {"layers", s.layers},
            {"layer", 0},
            {"probabilities", s.probabilities},
            {"predicted", s.labels[static_cast<std::size_t>(s.predicted())]},
            {"max_h_difference", s.max_h_difference},
            {"directions", dirs}};
  if (!s.prefix_probabilities.empty()) j["prefix_probabilities"] = s.prefix_probabilities;
  return j;
}

}  // namespace

std::string trace_json(const SentenceTrace& s) { return trace_to_json(s).dump(2); }

// ---- negation ----

bool is_negator(std::string_view token) {
  if (token == "not" || token == "n't") return true;
  if (token.size() < 4 || token.substr(token.size() - 3) != "n't") return false;
  for (char ch : token.substr(0, token.size() - 3))
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return false;
  return true;
}

std::string affirmative(std::string_view negator) {
  if (negator == "not" || negator == "n't") return "";
  const std::string stem = lowercase_ascii(negator.substr(0, negator.size() - 3));
  if (stem == "ca") return "can";
  if (stem == "wo") return "will";
  if (stem == "sha") return "shall";
  if (stem == "ai") return "is";
  return std::string(negator.substr(0, negator.size() - 3));  // the case as written
}

std::optional<NegationEdit> negation_edit(const std::vector<std::string>& tokens, Rng& rng) {
  NegationEdit e;
  std::vector<std::size_t> others;
  for (std::size_t t = 0; t < tokens.size(); ++t) (is_negator(tokens[t]) ? e.negators : others).push_back(t);
  if (e.negators.empty() || others.size() < e.negators.size() + 1) return std::nullopt;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    if (!is_negator(tokens[t])) {
      e.without_negation.push_back(tokens[t]);
    } else if (std::string a = affirmative(tokens[t]); !a.empty()) {
      e.without_negation.push_back(std::move(a));
    }
  }
  // the control: k of the other positions, by a partial Fisher-Yates shuffle
  for (std::size_t k = 0; k < e.negators.size(); ++k) {
    const std::size_t pick = k + static_cast<std::size_t>(rng.uniform_int(others.size() - k));
    std::swap(others[k], others[pick]);
    e.removed.push_back(others[k]);
  }
  std::sort(e.removed.begin(), e.removed.end());
  for (std::size_t t = 0; t < tokens.size(); ++t)
    if (!std::binary_search(e.removed.begin(), e.removed.end(), t)) e.control.push_back(tokens[t]);
  return e;
}

ChangeStats change_stats(const std::vector<double>& before, const std::vector<double>& after,
                         const std::vector<int>& class_before, const std::vector<int>& class_after) {
  ChangeStats s;
  s.sentences = before.size();
  if (before.empty()) return s;
  std::vector<double> abs_change;
  for (std::size_t i = 0; i < before.size(); ++i) {
    const double d = after[i] - before[i];
    s.mean_change += d;
    abs_change.push_back(std::fabs(d));
    s.mean_abs_change += std::fabs(d);
    if (class_before[i] != class_after[i]) ++s.flips;
  }
  const double n = static_cast<double>(before.size());
  s.mean_change /= n;
  s.mean_abs_change /= n;
  std::sort(abs_change.begin(), abs_change.end());
  const std::size_t m = abs_change.size() / 2;
  s.median_abs_change = abs_change.size() % 2 ? abs_change[m] : (abs_change[m - 1] + abs_change[m]) / 2;
  return s;
}

namespace {

int argmax(const std::vector<float>& p) {
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

// Running mean and sample variance (Welford), plus the mean absolute change.
struct Accumulator {
  std::size_t n = 0;
  double mean = 0, m2 = 0, change = 0;
  void add(double v, double abs_change) {
    ++n;
    const double d = v - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (v - mean);
    change += abs_change;
  }
  GateStats stats() const {
    return {n, mean, n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1)) : 0.0,
            n > 0 ? change / static_cast<double>(n) : 0.0};
  }
};

// Two-sided exact binomial test of k successes in n trials at p = 1/2: the probability of an outcome at most as
// likely as k.
double sign_test(std::size_t k, std::size_t n) {
  if (n == 0) return 1.0;
  const auto log_p = [&](std::size_t i) {
    return std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - static_cast<double>(n) * std::log(2.0);
  };
  const double observed = log_p(k);
  double p = 0;
  for (std::size_t i = 0; i <= n; ++i)
    if (log_p(i) <= observed + 1e-9) p += std::exp(log_p(i));
  return std::min(1.0, p);
}

}  // namespace

NegationStudy negation_study(NeuralClassifier& model, const LabelledCorpus& corpus, std::uint64_t seed,
                             std::size_t examples) {
  NegationStudy st;
  st.source = corpus.source;
  st.seed = seed;
  st.sentences = corpus.size();
  const std::vector<std::string>& labels = model.labels();
  const auto pos_it = std::find(labels.begin(), labels.end(), "positive");
  const std::size_t pos = pos_it != labels.end() ? static_cast<std::size_t>(pos_it - labels.begin()) : labels.size() - 1;
  st.positive_label = labels[pos];
  st.labels = labels;

  Rng rng(seed);
  std::vector<const LabelledSentence*> studied;
  std::vector<NegationEdit> edits;
  for (const LabelledSentence& s : corpus.sentences) {
    const bool has = std::any_of(s.tokens.begin(), s.tokens.end(), [](const std::string& t) { return is_negator(t); });
    if (!has) continue;
    ++st.with_negator;
    std::optional<NegationEdit> e = negation_edit(s.tokens, rng);
    if (!e) {
      ++st.skipped;
      continue;
    }
    studied.push_back(&s);
    edits.push_back(std::move(*e));
  }
  std::vector<std::vector<std::string>> original, without, control;
  for (std::size_t i = 0; i < studied.size(); ++i) {
    original.push_back(studied[i]->tokens);
    without.push_back(edits[i].without_negation);
    control.push_back(edits[i].control);
  }
  const auto classify = [&](const std::vector<std::vector<std::string>>& s) {
    return model.probabilities(model.vocab().encode(s, model.config()));
  };
  const auto p0 = classify(original), p1 = classify(without), p2 = classify(control);

  // the change statistics, for every studied sentence and by kind of negator
  std::vector<double> b_all, w_all, c_all, b_not, w_not, c_not, b_con, w_con, c_con;
  std::vector<int> kb_all, kw_all, kc_all, kb_not, kw_not, kc_not, kb_con, kw_con, kc_con;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < studied.size(); ++i) {
    bool contraction = false, plain = false;
    for (std::size_t t : edits[i].negators)
      (affirmative(studied[i]->tokens[t]).empty() ? plain : contraction) = true;
    st.with_not += plain ? 1 : 0;
    st.with_contraction += contraction ? 1 : 0;
    st.several_negators += edits[i].negators.size() > 1 ? 1 : 0;
    const double b = p0[i][pos], w = p1[i][pos], c = p2[i][pos];
    const int kb = argmax(p0[i]), kw = argmax(p1[i]), kc = argmax(p2[i]);
    correct += kb == studied[i]->label ? 1 : 0;
    st.negation_moved_more += std::fabs(w - b) > std::fabs(c - b) ? 1 : 0;
    b_all.push_back(b), w_all.push_back(w), c_all.push_back(c);
    kb_all.push_back(kb), kw_all.push_back(kw), kc_all.push_back(kc);
    if (contraction) {
      b_con.push_back(b), w_con.push_back(w), c_con.push_back(c);
      kb_con.push_back(kb), kw_con.push_back(kw), kc_con.push_back(kc);
    } else {
      b_not.push_back(b), w_not.push_back(w), c_not.push_back(c);
      kb_not.push_back(kb), kw_not.push_back(kw), kc_not.push_back(kc);
    }
  }
  st.negation_removed = change_stats(b_all, w_all, kb_all, kw_all);
  st.control = change_stats(b_all, c_all, kb_all, kc_all);
  st.not_removed = change_stats(b_not, w_not, kb_not, kw_not);
  st.not_control = change_stats(b_not, c_not, kb_not, kc_not);
  st.contraction_removed = change_stats(b_con, w_con, kb_con, kw_con);
  st.contraction_control = change_stats(b_con, c_con, kb_con, kc_con);
  for (std::size_t c = 0; c < labels.size(); ++c) {
    std::vector<double> b, w, r;
    std::vector<int> kb, kw, kr;
    for (std::size_t i = 0; i < b_all.size(); ++i)
      if (kb_all[i] == static_cast<int>(c))
        b.push_back(b_all[i]), w.push_back(w_all[i]), r.push_back(c_all[i]), kb.push_back(kb_all[i]),
            kw.push_back(kw_all[i]), kr.push_back(kc_all[i]);
    st.removed_by_prediction.push_back(change_stats(b, w, kb, kw));
    st.control_by_prediction.push_back(change_stats(b, r, kb, kr));
  }
  st.accuracy_original = studied.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(studied.size());

  // gate activations at the negators, at the control's random tokens and at every other token
  std::vector<Accumulator> at_neg, at_random, at_other;
  std::vector<std::vector<double>> unit_neg, unit_random, unit_other;  // per (direction, gate): per-unit sums
  struct TypeSums {
    std::vector<std::size_t> n;               // per (direction, gate)
    std::vector<double> change;               // per (direction, gate)
    std::vector<std::vector<double>> units;   // per (direction, gate): per-unit sums
  };
  std::map<std::string, TypeSums> types;
  std::vector<std::vector<double>> unit_all;
  std::vector<std::size_t> n_all;
  for (std::size_t i = 0; i < studied.size(); ++i) {
    const bool keep = st.examples.size() < examples;
    SentenceTrace tr = inspect_sentence(model, studied[i]->tokens, keep);
    if (st.gates.empty())
      for (const DirectionTrace& d : tr.directions)
        for (const std::string& g : d.gate_names) {
          st.gates.push_back({d.name, g, {}, {}, {}, -1, 0, 0, 0});
          at_neg.emplace_back(), at_random.emplace_back(), at_other.emplace_back();
          for (auto* u : {&unit_neg, &unit_random, &unit_other, &unit_all}) u->emplace_back(static_cast<std::size_t>(tr.hidden), 0.0);
          n_all.push_back(0);
        }
    const NegationEdit& e = edits[i];
    std::size_t k = 0;
    for (const DirectionTrace& d : tr.directions)
      for (std::size_t g = 0; g < d.gate_names.size(); ++g, ++k)
        for (std::size_t t = 0; t < d.steps(); ++t) {
          const std::optional<std::size_t> prev = d.previous(t);
          if (!prev) continue;
          double change = 0;
          for (std::size_t j = 0; j < d.gates[g][t].size(); ++j) change += std::fabs(d.gates[g][t][j] - d.gates[g][*prev][j]);
          change /= static_cast<double>(d.gates[g][t].size());
          const auto add = [&](Accumulator& a, std::vector<double>& units) {
            a.add(d.gate_mean(g, t), change);
            for (std::size_t j = 0; j < units.size(); ++j) units[j] += d.gates[g][t][j];
          };
          TypeSums& ts = types[studied[i]->tokens[t]];
          if (ts.n.empty()) {
            ts.n.assign(st.gates.size(), 0);
            ts.change.assign(st.gates.size(), 0.0);
            ts.units.assign(st.gates.size(), std::vector<double>(static_cast<std::size_t>(tr.hidden), 0.0));
          }
          ++ts.n[k], ++n_all[k];
          ts.change[k] += change;
          for (std::size_t j = 0; j < ts.units[k].size(); ++j)
            ts.units[k][j] += d.gates[g][t][j], unit_all[k][j] += d.gates[g][t][j];
          if (std::binary_search(e.negators.begin(), e.negators.end(), t)) {
            add(at_neg[k], unit_neg[k]);
            continue;
          }
          add(at_other[k], unit_other[k]);
          if (std::binary_search(e.removed.begin(), e.removed.end(), t)) add(at_random[k], unit_random[k]);
        }
    if (keep) {
      NegationExample ex;
      ex.line = studied[i]->line;
      ex.gold = labels[static_cast<std::size_t>(studied[i]->label)];
      ex.trace = std::move(tr);
      ex.edit = e;
      ex.p_positive = p0[i][pos], ex.p_without = p1[i][pos], ex.p_control = p2[i][pos];
      st.examples.push_back(std::move(ex));
    }
  }
  for (std::size_t k = 0; k < st.gates.size(); ++k) {
    GateComparison& g = st.gates[k];
    g.negator = at_neg[k].stats();
    g.random = at_random[k].stats();
    g.other = at_other[k].stats();
    if (g.other.steps == 0) continue;
    const auto at = [](const std::vector<double>& sums, std::size_t j, std::size_t n) { return sums[j] / static_cast<double>(n); };
    double best = -1;
    for (std::size_t j = 0; j < unit_neg[k].size(); ++j) {
      const double o = at(unit_other[k], j, g.other.steps);
      if (g.negator.steps > 0 && std::fabs(at(unit_neg[k], j, g.negator.steps) - o) > best) {
        best = std::fabs(at(unit_neg[k], j, g.negator.steps) - o);
        g.unit = static_cast<int>(j), g.unit_at_negator = at(unit_neg[k], j, g.negator.steps), g.unit_at_other = o;
      }
      if (g.random.steps > 0)
        g.random_unit_difference = std::max(g.random_unit_difference, std::fabs(at(unit_random[k], j, g.random.steps) - o));
    }
    // "not" among the frequent word types
    std::vector<std::pair<double, double>> frequent;  // (largest unit difference, mean |change|)
    std::optional<std::pair<double, double>> not_values;
    for (const auto& [word, ts] : types) {
      if (ts.n[k] < st.min_type_count) continue;
      double largest = 0;
      for (std::size_t j = 0; j < ts.units[k].size(); ++j)
        largest = std::max(largest, std::fabs(at(ts.units[k], j, ts.n[k]) - at(unit_all[k], j, n_all[k])));
      frequent.emplace_back(largest, ts.change[k] / static_cast<double>(ts.n[k]));
      if (word == "not") not_values = frequent.back();
    }
    st.types_compared = frequent.size();
    if (not_values) {
      g.not_unit_difference = not_values->first, g.not_change = not_values->second;
      g.not_unit_rank = 1, g.not_change_rank = 1;
      for (const auto& [largest, change] : frequent) {
        g.not_unit_rank += largest > not_values->first ? 1 : 0;
        g.not_change_rank += change > not_values->second ? 1 : 0;
      }
    }
  }
  return st;
}

namespace {

std::string percent(std::size_t k, std::size_t n) {
  return n == 0 ? "-" : fixed(100.0 * static_cast<double>(k) / static_cast<double>(n), 1) + " %";
}

std::string change_row(const std::string& what, const ChangeStats& s) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "  %-34s %9zu %6zu (%7s) %15.3f %17.3f %+13.3f\n", what.c_str(), s.sentences, s.flips,
                percent(s.flips, s.sentences).c_str(), s.mean_abs_change, s.median_abs_change, s.mean_change);
  return buf;
}

std::string quote(const std::vector<std::string>& tokens) { return "\u201C" + join(tokens) + "\u201D"; }

}  // namespace

std::string negation_report(const NegationStudy& st) {
  std::ostringstream out;
  const std::size_t n = st.negation_removed.sentences;
  out << "negation study on " << st.source << ": " << st.sentences << " sentences, " << st.with_negator
      << " hold a negator (\"not\", \"n't\", or a contraction such as \"doesn't\")";
  if (st.skipped) out << ", " << st.skipped << " of them too short for the edit and its control";
  out << "\nstudied: " << n << " sentences (" << st.with_not << " with \"not\", " << st.with_contraction
      << " with a contraction, " << st.several_negators << " with more than one negator); the classifier labels "
      << percent(static_cast<std::size_t>(std::lround(st.accuracy_original * static_cast<double>(n))), n)
      << " of them correctly\n"
      << "edit: every negator removed (\"not\" deleted, a contraction made affirmative: doesn't -> does, can't -> can)\n"
      << "control: as many random other tokens of the same sentence removed (seed " << st.seed << ")\n\n";
  char buf[240];
  std::snprintf(buf, sizeof buf, "  %-34s %9s %17s %15s %17s %13s\n", "", "sentences", "predicted flips",
                ("mean |dP(" + st.positive_label.substr(0, 3) + ")|").c_str(),
                ("median |dP(" + st.positive_label.substr(0, 3) + ")|").c_str(),
                ("mean dP(" + st.positive_label.substr(0, 3) + ")").c_str());
  out << buf << change_row("negators removed", st.negation_removed) << change_row("control", st.control)
      << change_row("  only \"not\": removed", st.not_removed) << change_row("  only \"not\": control", st.not_control)
      << change_row("  contraction: made affirmative", st.contraction_removed)
      << change_row("  contraction: control", st.contraction_control);
  for (std::size_t c = 0; c < st.removed_by_prediction.size(); ++c) {
    const std::string name = "  predicted " + st.labels[c];
    out << change_row(name + ": removed", st.removed_by_prediction[c])
        << change_row(name + ": control", st.control_by_prediction[c]);
  }
  std::snprintf(buf, sizeof buf, "%.2g", sign_test(st.negation_moved_more, n));
  out << "the negation edit moved P(" << st.positive_label << ") more than its control in " << st.negation_moved_more
      << " of " << n << " sentences (" << percent(st.negation_moved_more, n) << "; two-sided sign test p = " << buf
      << ")\n\n";

  out << "gates at the negators, at the control's random tokens and at every other token (unit means; a direction's "
         "first step left out):\n";
  std::snprintf(buf, sizeof buf, "  %-9s %-7s %21s %21s %21s %23s   %s\n", "direction", "gate", "negators (steps)",
                "random tokens (steps)", "other tokens (steps)", "mean |change| n / r / o",
                "unit differing most from the others: negators; largest for random tokens");
  out << buf;
  for (const GateComparison& g : st.gates) {
    std::snprintf(buf, sizeof buf,
                  "  %-9s %-7s %6.3f ± %.3f (%5zu) %6.3f ± %.3f (%5zu) %6.3f ± %.3f (%5zu) %7.4f / %.4f / %.4f   unit %d: "
                  "%.3f vs %.3f (%+.3f); %.3f\n",
                  g.direction.c_str(), g.gate.c_str(), g.negator.mean, g.negator.sd, g.negator.steps, g.random.mean,
                  g.random.sd, g.random.steps, g.other.mean, g.other.sd, g.other.steps, g.negator.mean_abs_change,
                  g.random.mean_abs_change, g.other.mean_abs_change, g.unit, g.unit_at_negator, g.unit_at_other,
                  g.unit_at_negator - g.unit_at_other, g.random_unit_difference);
    out << buf;
  }
  out << "  (mean |change|: (1/H) Σ_j |g_j(t) − g_j(previous step)|, the previous step in the direction's own order)\n";
  out << "\"not\" among the " << st.types_compared << " word types seen at least " << st.min_type_count
      << " times in these sentences (rank 1 = the largest):\n";
  for (const GateComparison& g : st.gates) {
    if (g.not_unit_rank == 0) {
      out << "  " << g.direction << ' ' << g.gate << ": \"not\" is too rare here\n";
      continue;
    }
    std::snprintf(buf, sizeof buf,
                  "  %-9s %-7s largest unit |difference from all steps| %.3f (rank %zu); mean |change| %.4f (rank %zu)\n",
                  g.direction.c_str(), g.gate.c_str(), g.not_unit_difference, g.not_unit_rank, g.not_change,
                  g.not_change_rank);
    out << buf;
  }

  for (const NegationExample& ex : st.examples) {
    out << "\nexample, line " << ex.line << " (gold " << ex.gold << "): " << quote(ex.trace.tokens) << '\n'
        << "  P(" << st.positive_label << "): " << fixed(ex.p_positive, 3) << " as written, "
        << fixed(ex.p_without, 3) << " without the negation " << quote(ex.edit.without_negation) << ", "
        << fixed(ex.p_control, 3) << " in the control " << quote(ex.edit.control) << '\n';
    // the steps around each negator (two on either side)
    const SentenceTrace& tr = ex.trace;
    const std::size_t pos_k = static_cast<std::size_t>(
        std::find(tr.labels.begin(), tr.labels.end(), st.positive_label) - tr.labels.begin());
    std::snprintf(buf, sizeof buf, "  %4s  %-14s %8s", "t", "token", ("P(" + st.positive_label.substr(0, 3) + "|..t)").c_str());
    std::string head = buf;
    for (const DirectionTrace& d : tr.directions)
      for (const std::string& g : d.gate_names) {
        std::snprintf(buf, sizeof buf, " %6s", (std::string(d.name == "forward" ? "fw " : "bw ") + g.substr(0, 1)).c_str());
        head += buf;
      }
    out << head << '\n';
    std::vector<bool> shown(tr.tokens.size(), false);
    for (std::size_t t : ex.edit.negators)
      for (std::size_t u = t >= 2 ? t - 2 : 0; u <= std::min(t + 2, tr.tokens.size() - 1); ++u) shown[u] = true;
    bool gap = false;
    for (std::size_t t = 0; t < tr.tokens.size(); ++t) {
      if (!shown[t]) {
        if (!gap) out << "  ...\n";
        gap = true;
        continue;
      }
      gap = false;
      const bool neg = std::binary_search(ex.edit.negators.begin(), ex.edit.negators.end(), t);
      std::snprintf(buf, sizeof buf, "%s %4zu  %-14s %8.3f", neg ? ">" : " ", t, tr.tokens[t].substr(0, 14).c_str(),
                    tr.prefix_probabilities.empty() ? NAN : tr.prefix_probabilities[t][pos_k]);
      std::string line = buf;
      for (const DirectionTrace& d : tr.directions)
        for (std::size_t g = 0; g < d.gate_names.size(); ++g) {
          std::snprintf(buf, sizeof buf, " %6.3f", d.gate_mean(g, t));
          line += buf;
        }
      out << line << '\n';
    }
  }
  return out.str();
}

std::string negation_json(const NegationStudy& st) {
  const auto stats = [](const ChangeStats& s) {
    return json{{"sentences", s.sentences},
                {"flips", s.flips},
                {"mean_abs_change", s.mean_abs_change},
                {"median_abs_change", s.median_abs_change},
                {"mean_change", s.mean_change}};
  };
  const auto by_class = [&](const std::vector<ChangeStats>& v) {
    json j = json::object();
    for (std::size_t c = 0; c < v.size(); ++c) j[st.labels[c]] = stats(v[c]);
    return j;
  };
  const auto gate_stats = [](const GateStats& g) {
    return json{{"steps", g.steps}, {"mean", g.mean}, {"sd", g.sd}, {"mean_abs_change", g.mean_abs_change}};
  };
  json gates = json::array();
  for (const GateComparison& g : st.gates)
    gates.push_back({{"direction", g.direction},
                     {"gate", g.gate},
                     {"at_negators", gate_stats(g.negator)},
                     {"at_random_tokens", gate_stats(g.random)},
                     {"at_other_tokens", gate_stats(g.other)},
                     {"random_unit_difference", g.random_unit_difference},
                     {"not_unit_difference", g.not_unit_difference},
                     {"not_unit_rank", g.not_unit_rank},
                     {"not_change", g.not_change},
                     {"not_change_rank", g.not_change_rank},
                     {"unit", g.unit},
                     {"unit_at_negators", g.unit_at_negator},
                     {"unit_at_other_tokens", g.unit_at_other}});
  json examples = json::array();
  for (const NegationExample& ex : st.examples)
    examples.push_back({{"line", ex.line},
                        {"gold", ex.gold},
                        {"tokens", ex.trace.tokens},
                        {"negators", ex.edit.negators},
                        {"without_negation", ex.edit.without_negation},
                        {"control", ex.edit.control},
                        {"p_positive", ex.p_positive},
                        {"p_without_negation", ex.p_without},
                        {"p_control", ex.p_control},
                        {"trace", trace_to_json(ex.trace)}});
  return json{{"source", st.source},
              {"positive_label", st.positive_label},
              {"seed", st.seed},
              {"sentences", st.sentences},
              {"with_negator", st.with_negator},
              {"skipped", st.skipped},
              {"with_not", st.with_not},
              {"with_contraction", st.with_contraction},
              {"several_negators", st.several_negators},
              {"accuracy_original", st.accuracy_original},
              {"negation_removed", stats(st.negation_removed)},
              {"control", stats(st.control)},
              {"not_removed", stats(st.not_removed)},
              {"not_control", stats(st.not_control)},
              {"contraction_removed", stats(st.contraction_removed)},
              {"contraction_control", stats(st.contraction_control)},
              {"removed_by_prediction", by_class(st.removed_by_prediction)},
              {"control_by_prediction", by_class(st.control_by_prediction)},
              {"negation_moved_more", st.negation_moved_more},
              {"sign_test_p", sign_test(st.negation_moved_more, st.negation_removed.sentences)},
              {"gates", gates},
              {"min_type_count", st.min_type_count},
              {"types_compared", st.types_compared},
              {"examples", examples}}
      .dump(2);
}

}  // namespace tapegrad::lm

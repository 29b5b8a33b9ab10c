// The learning curve: one point per validation (every epoch's end, and every eval_interval batches when asked) with
// the learning rate, the training loss since the previous point, the validation loss, the time and the speed. The
// trainer writes it beside the checkpoints as CSV and as an SVG plot of the perplexities, and stores it exactly in
// its checkpoints so that a resumed run reports the whole history.
#pragma once

#include <string>
#include <vector>

namespace tapegrad::lm {

struct CurvePoint {
  double epoch = 0;  // fractional when validated within an epoch
  double lr = 0;
  double train_loss = 0;  // mean over the batches since the previous point
  double valid_loss = 0;
  double seconds = 0;  // training time so far
  double tokens_per_second = 0;
};

// The curve as CSV, a header and one row per point:
//   epoch,lr,train_loss,train_ppl,valid_loss,valid_ppl,seconds,tokens_per_second
// exact: every number printed so that it reads back to the same double (for checkpoints); otherwise rounded for
// reading.
std::string curve_csv(const std::vector<CurvePoint>& curve, bool exact = false);
// The inverse; throws FormatError naming `source` and the line for a malformed row.
std::vector<CurvePoint> parse_curve_csv(const std::string& text, const std::string& source);
// Writes the rounded CSV to csv_path and a plot of train and validation perplexity per epoch (log scale, titled
// `title`) to svg_path.
void write_curve_files(const std::vector<CurvePoint>& curve, const std::string& title, const std::string& csv_path,
                       const std::string& svg_path);

}  // namespace tapegrad::lm

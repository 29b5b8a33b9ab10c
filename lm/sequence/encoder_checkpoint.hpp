// What a checkpoint of a sequence-task model (tagger, classifier) stores about its encoder, in the metadata: the
// task kind, the encoder configuration and its vocabularies — so the model rebuilds from the file alone.
#pragma once

#include <string>
#include <utility>

#include "lm/sequence/sentence_encoder.hpp"
#include "nn/checkpoint.hpp"

namespace tapegrad::lm {

nn::Metadata encoder_metadata(const std::string& kind, const EncoderConfig& config, const EncoderVocab& vocab);
// The inverse; FormatError naming `path` when the file is not a `kind` checkpoint or an entry is malformed.
std::pair<EncoderConfig, EncoderVocab> read_encoder_metadata(const nn::Metadata& metadata, const std::string& kind,
                                                             const std::string& path);

}  // namespace tapegrad::lm

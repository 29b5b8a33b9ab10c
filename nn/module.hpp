// Module: a node of the model tree. It owns parameters and child modules, each under a local name, and gives every
// parameter its full dotted path ("lm.rnn.layer0.W_ih"). Modules are neither copied nor moved (children and the
// optimizer keep pointers to them): build them in place, or hold them by unique_ptr.
//
//   class Linear : public Module {
//     Linear(...) { W_ = &add_parameter("W", Shape{in, out}); ... }
//   };
//   class Model : public Module {
//     Model() : encoder_(add_module("encoder", std::make_unique<Linear>(...))) {}
//   };
//
// train()/eval() switch the mode of the whole subtree (dropout is active only in training mode).
//
// Packing. Parameters are created one by one, in the constructors of the modules that own them, each with storage of
// its own. Once the model is built, its root calls pack_parameters(): every parameter of the subtree moves, values
// and gradients kept, into one ParameterBlock (nn/parameter_block.hpp) that the root holds — all values in one
// buffer, all gradients in another, in parameters() order. From then on zero_grad(), the optimizers built over
// parameters(), grad_norm/clip_grad_norm over that list and checkpoints run over the flat buffers. The rules:
//   * Pack after construction and before the first forward pass: a parameter already recorded on a tape is refused
//     (the tape holds pointers to the storage packing frees), with UsageError naming it.
//   * A parameter reached twice (a child registered under two names, i.e. weights tied by sharing a module) is one
//     Parameter and takes one place in the block, where parameters() first lists it.
//   * Packing again is harmless: with the same parameters it returns the same block; if parameters were added since,
//     it makes a new block of all of them (the old one is then superseded). Packing a parent after a child moves the
//     child's parameters into the parent's block.
//   * A module that is never packed works as before, parameter by parameter (a single layer in a test, say); so
//     does an optimizer over a list that is not exactly a current block (a subset, another order) — with the same
//     results, bit for bit.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/parameter.hpp"
#include "nn/parameter_block.hpp"

namespace tapegrad::nn {

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter of the subtree, depth first: this module's own (in registration order), then each child's.
  std::vector<Parameter*> parameters();
  std::vector<const Parameter*> parameters() const;
  // The same as (full name, parameter) pairs.
  std::vector<std::pair<std::string, Parameter*>> named_parameters();
  // The parameter with this full name, or nullptr.
  Parameter* find_parameter(std::string_view full_name);
  index_t parameter_count() const;  // total number of scalars
  // Sets every gradient to zero (one pass over the block when packed; only the touched rows of an embedding).
  void zero_grad();

  // Moves every parameter of the subtree into one block held by this module and returns it (rules above).
  ParameterBlock& pack_parameters();
  // The block of pack_parameters() while it still holds exactly parameters() (each once), else nullptr.
  ParameterBlock* parameter_block();

  void train(bool training = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Dotted path of this module in its tree ("" for a root, "encoder", "rnn.layer0").
  const std::string& path() const { return path_; }
  std::vector<std::pair<std::string, Module*>> children() const { return children_; }

 protected:
  // A new zero-filled parameter owned by this module (initialise it in the constructor).
  Parameter& add_parameter(std::string_view local_name, const Shape& shape);
  // Takes ownership of a child module and returns a reference to it.
  template <class M>
  M& add_module(std::string_view local_name, std::unique_ptr<M> child) {
    M& ref = *child;
    register_module(local_name, ref);
    owned_.push_back(std::move(child));
    return ref;
  }
  // Registers a child that the derived class owns itself (a member). It must live as long as this module.
  void register_module(std::string_view local_name, Module& child);
  // Called after the mode of this module changed (train/eval).
  virtual void on_mode_change() {}

 private:
  void set_path(std::string path);
  void collect(std::vector<Parameter*>& out);
  std::vector<Parameter*> unique_parameters();  // parameters(), each once, where first listed

  std::string path_;
  bool training_ = true;
  std::vector<std::unique_ptr<Parameter>> params_;
  std::vector<std::pair<std::string, Module*>> children_;
  std::vector<std::unique_ptr<Module>> owned_;
  std::shared_ptr<ParameterBlock> block_;  // set by pack_parameters()
};

}  // namespace tapegrad::nn

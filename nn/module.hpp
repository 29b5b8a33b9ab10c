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
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nn/parameter.hpp"

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
  void zero_grad();

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

  std::string path_;
  bool training_ = true;
  std::vector<std::unique_ptr<Parameter>> params_;
  std::vector<std::pair<std::string, Module*>> children_;
  std::vector<std::unique_ptr<Module>> owned_;
};

}  // namespace tapegrad::nn

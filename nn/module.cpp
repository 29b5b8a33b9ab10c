// Module: the parameter tree, its names, packing it into one block, and the train/eval mode.
#include "nn/module.hpp"

#include <set>

#include "ops/error.hpp"

namespace tapegrad::nn {

namespace {
std::string join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

void check_local_name(std::string_view name, const char* what) {
  if (name.empty() || name.find('.') != std::string_view::npos)
    throw UsageError(std::string("Module: ") + what + " name '" + std::string(name) +
                     "' must be non-empty and contain no '.' (dots separate path components)");
}
}  // namespace

Parameter& Module::add_parameter(std::string_view local_name, const Shape& shape) {
  check_local_name(local_name, "parameter");
  for (const auto& p : params_)
    if (p->local_name() == local_name)
      throw UsageError("Module '" + path_ + "': a parameter named '" + std::string(local_name) + "' already exists");
  params_.push_back(std::make_unique<Parameter>(std::string(local_name), shape));
  params_.back()->name_ = join(path_, local_name);
  return *params_.back();
}

void Module::register_module(std::string_view local_name, Module& child) {
  check_local_name(local_name, "child module");
  for (const auto& [name, m] : children_)
    if (name == local_name)
      throw UsageError("Module '" + path_ + "': a child named '" + std::string(local_name) + "' already exists");
  children_.emplace_back(std::string(local_name), &child);
  child.set_path(join(path_, local_name));
}

void Module::set_path(std::string path) {
  path_ = std::move(path);
  for (auto& p : params_) p->name_ = join(path_, p->local_name());
  for (auto& [name, child] : children_) child->set_path(join(path_, name));
}

void Module::collect(std::vector<Parameter*>& out) {
  for (auto& p : params_) out.push_back(p.get());
  for (auto& [name, child] : children_) child->collect(out);
}

std::vector<Parameter*> Module::parameters() {
  std::vector<Parameter*> out;
  collect(out);
  return out;
}

std::vector<const Parameter*> Module::parameters() const {
  std::vector<Parameter*> all = const_cast<Module*>(this)->parameters();
  return {all.begin(), all.end()};
}

std::vector<std::pair<std::string, Parameter*>> Module::named_parameters() {
  std::vector<std::pair<std::string, Parameter*>> out;
  for (Parameter* p : parameters()) out.emplace_back(p->name(), p);
  return out;
}

Parameter* Module::find_parameter(std::string_view full_name) {
  for (Parameter* p : parameters())
    if (p->name() == full_name) return p;
  return nullptr;
}

index_t Module::parameter_count() const {
  index_t n = 0;
  for (const Parameter* p : parameters()) n += p->numel();
  return n;
}

std::vector<Parameter*> Module::unique_parameters() {
  std::vector<Parameter*> all = parameters();
  std::set<const Parameter*> seen;
  std::erase_if(all, [&](const Parameter* p) { return !seen.insert(p).second; });
  return all;
}

void Module::zero_grad() {
  if (ParameterBlock* block = parameter_block()) {
    block->zero_grad();
    return;
  }
  for (Parameter* p : parameters()) p->zero_grad();
}

ParameterBlock& Module::pack_parameters() {
  std::vector<Parameter*> params = unique_parameters();
  if (block_ && block_->holds(params)) return *block_;
  block_ = ParameterBlock::pack(std::move(params));
  return *block_;
}

ParameterBlock* Module::parameter_block() {
  if (!block_ || !block_->holds(unique_parameters())) return nullptr;
  return block_.get();
}

void Module::train(bool training) {
  const bool changed = training_ != training;
  training_ = training;
  for (auto& [name, child] : children_) child->train(training);
  if (changed) on_mode_change();
}

}  // namespace tapegrad::nn

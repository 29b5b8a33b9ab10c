// Everything in ops/: tensors and the pure kernels over raw memory. Knows nothing of autodiff.
#pragma once

#include "ops/activation.hpp"
#include "ops/bias.hpp"
#include "ops/elementwise.hpp"
#include "ops/error.hpp"
#include "ops/gather.hpp"
#include "ops/gemm.hpp"
#include "ops/layout.hpp"
#include "ops/parallel.hpp"
#include "ops/random.hpp"
#include "ops/recurrent.hpp"
#include "ops/reduce.hpp"
#include "ops/softmax.hpp"
#include "ops/tensor.hpp"

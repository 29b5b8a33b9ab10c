// Everything in nn/ for building models: modules, parameters and their block, initialisers, layers, recurrent cells
// and stacks.
#pragma once

#include "nn/cell.hpp"
#include "nn/dropout.hpp"
#include "nn/embedding.hpp"
#include "nn/gradcheck.hpp"
#include "nn/gru_cell.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/lstm_cell.hpp"
#include "nn/module.hpp"
#include "nn/parameter.hpp"
#include "nn/parameter_block.hpp"
#include "nn/recurrent.hpp"
#include "nn/rnn_cell.hpp"

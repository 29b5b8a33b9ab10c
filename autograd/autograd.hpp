// Everything in autograd/: the tape, the differentiable ops, gradient checking.
#pragma once

#include "autograd/functions.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/tape.hpp"

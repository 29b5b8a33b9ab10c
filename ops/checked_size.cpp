// Checked sizes: the messages of the failures, byte counts for people, and the machine's memory.
#include "ops/checked_size.hpp"

#include <unistd.h>

#include <cstdio>

namespace tapegrad {

void throw_product_overflow(std::int64_t a, std::int64_t b, std::string_view what) {
  throw SizeError(std::string(what) + ": " + std::to_string(a) + " × " + std::to_string(b) +
                  " elements is more than a 64-bit count can hold");
}

void throw_bytes_overflow(std::uint64_t count, std::size_t element_bytes, std::string_view what) {
  throw SizeError(std::string(what) + ": " + std::to_string(count) + " elements of " + std::to_string(element_bytes) +
                  " bytes is more bytes than the address space holds");
}

void throw_sum_overflow(std::int64_t a, std::int64_t b, std::string_view what) {
  throw SizeError(std::string(what) + ": " + std::to_string(a) + " + " + std::to_string(b) +
                  " is more than a 64-bit count can hold");
}

void throw_negative_size(std::int64_t value, std::string_view what) {
  throw SizeError(std::string(what) + ": negative size " + std::to_string(value));
}

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB"};
  int u = 0;
  while (bytes >= 1000 && u < 7) bytes /= 1000, ++u;
  char buf[48];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%.0f %s", bytes, units[u]);
  else
    std::snprintf(buf, sizeof buf, bytes < 10 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

}  // namespace tapegrad

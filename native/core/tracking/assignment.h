// Minimum-cost assignment (Hungarian / Kuhn-Munkres with potentials, O(n^2 m)) for small rectangular
// cost matrices. Pairs whose cost is >= kForbidden are never assigned.
#pragma once

#include <utility>
#include <vector>

namespace dsk::tracking {

constexpr double kForbidden = 1e9;

// cost[r][c], rows x cols (every row the same length). Returns the (row, col) pairs of an optimal
// assignment, leaving out forbidden pairs.
std::vector<std::pair<int, int>> solveAssignment(const std::vector<std::vector<double>>& cost);

}  // namespace dsk::tracking

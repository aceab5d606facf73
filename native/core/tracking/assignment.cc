#include "core/tracking/assignment.h"

#include <limits>

namespace dsk::tracking {

namespace {
// Requires n <= m. a is 1-indexed (a[1..n][1..m]). Returns rowOf[col] (0 = unassigned).
std::vector<int> hungarian(const std::vector<std::vector<double>>& a, int n, int m) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(m + 1, 0);
  std::vector<int> p(m + 1, 0), way(m + 1, 0);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::vector<double> minv(m + 1, inf);
    std::vector<char> used(m + 1, 0);
    do {
      used[j0] = 1;
      const int i0 = p[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = a[i0][j] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  return p;
}
}  // namespace

std::vector<std::pair<int, int>> solveAssignment(const std::vector<std::vector<double>>& cost) {
  std::vector<std::pair<int, int>> out;
  const int rows = static_cast<int>(cost.size());
  if (rows == 0) return out;
  const int cols = static_cast<int>(cost[0].size());
  if (cols == 0) return out;
  const bool transpose = rows > cols;
  const int n = transpose ? cols : rows, m = transpose ? rows : cols;
  std::vector<std::vector<double>> a(n + 1, std::vector<double>(m + 1, 0));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double x = cost[r][c] >= kForbidden ? kForbidden : cost[r][c];
      if (transpose)
        a[c + 1][r + 1] = x;
      else
        a[r + 1][c + 1] = x;
    }
  const std::vector<int> p = hungarian(a, n, m);
  for (int j = 1; j <= m; ++j) {
    if (p[j] == 0) continue;
    const int r = transpose ? j - 1 : p[j] - 1;
    const int c = transpose ? p[j] - 1 : j - 1;
    if (cost[r][c] < kForbidden) out.emplace_back(r, c);
  }
  return out;
}

}  // namespace dsk::tracking

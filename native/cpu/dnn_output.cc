#include "cpu/dnn_output.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>


namespace dsk::cpu {

std::string shapeString(const cv::Mat& m) {
  std::string s = "[";
  for (int i = 0; i < m.dims; ++i) s += (i ? "x" : "") + std::to_string(m.size[i]);
  return s + "]";
}

namespace {

// Rows of a [1, N, K] (or [N, K]) float tensor as an N x K matrix view.
cv::Mat rowsOf(const cv::Mat& out, const char* what) {
  if (out.type() != CV_32F) throw DnnOutputError(std::string(what) + ": expected a float tensor");
  if (out.dims == 3 && out.size[0] == 1) return cv::Mat(out.size[1], out.size[2], CV_32F, const_cast<uchar*>(out.ptr()));
  if (out.dims == 2) return out;
  throw DnnOutputError(std::string(what) + ": expected an output of shape [1, N, K], got " + shapeString(out));
}

std::vector<RawDetection> decodeSsd(const cv::Mat& out, cv::Size input, float minScore) {
  if (out.type() != CV_32F || out.dims != 4 || out.size[3] != 7)
    throw DnnOutputError("output-format=ssd expects a DetectionOutput tensor [1x1xNx7], got " + shapeString(out));
  const int n = out.size[2];
  const float* p = out.ptr<float>();
  std::vector<RawDetection> dets;
  for (int i = 0; i < n; ++i, p += 7) {
    if (p[0] < 0) break;  // padding rows after the last detection
    const float score = p[2];
    if (!(score >= minScore)) continue;
    const float x1 = p[3] * input.width, y1 = p[4] * input.height;
    const float x2 = p[5] * input.width, y2 = p[6] * input.height;
    if (!(x2 > x1 && y2 > y1)) continue;
    dets.push_back({cv::Rect2f(x1, y1, x2 - x1, y2 - y1), static_cast<int>(p[1]), score});
  }
  return dets;
}

// Rows of (cx, cy, w, h, [objectness,] class scores...).
void decodeRows(const cv::Mat& rows, bool objectness, float minScore, std::vector<RawDetection>& dets,
                const std::function<void(int row, float& cx, float& cy, float& w, float& h)>& toPixels) {
  const int first = objectness ? 5 : 4;
  const int classes = rows.cols - first;
  if (classes < 1) throw DnnOutputError("output has " + std::to_string(rows.cols) + " values per candidate: no class scores");
  for (int i = 0; i < rows.rows; ++i) {
    const float* r = rows.ptr<float>(i);
    const float obj = objectness ? r[4] : 1.f;
    if (!(obj >= minScore)) continue;
    const float* sc = r + first;
    const int best = static_cast<int>(std::max_element(sc, sc + classes) - sc);
    const float score = obj * sc[best];
    if (!(score >= minScore)) continue;
    float cx = r[0], cy = r[1], w = r[2], h = r[3];
    toPixels(i, cx, cy, w, h);
    if (!(w > 0 && h > 0) || !std::isfinite(cx) || !std::isfinite(cy)) continue;
    dets.push_back({cv::Rect2f(cx - w / 2, cy - h / 2, w, h), best, score});
  }
}

}  // namespace

std::vector<RawDetection> decodeDetections(const cv::Mat& out, DnnOutputFormat format, cv::Size input,
                                           float minScore, const std::vector<int>& strides) {
  std::vector<RawDetection> dets;
  switch (format) {
    case DnnOutputFormat::Ssd:
      return decodeSsd(out, input, minScore);
    case DnnOutputFormat::Yolov5: {
      const cv::Mat rows = rowsOf(out, "output-format=yolov5");
      decodeRows(rows, true, minScore, dets, [](int, float&, float&, float&, float&) {});
      return dets;
    }
    case DnnOutputFormat::Yolov8: {
      if (out.type() != CV_32F || out.dims != 3 || out.size[0] != 1 || out.size[1] < 5)
        throw DnnOutputError("output-format=yolov8 expects [1x(4+C)xN], got " + shapeString(out));
      const cv::Mat cols(out.size[1], out.size[2], CV_32F, const_cast<uchar*>(out.ptr()));
      const cv::Mat rows = cols.t();
      decodeRows(rows, false, minScore, dets, [](int, float&, float&, float&, float&) {});
      return dets;
    }
    case DnnOutputFormat::Yolox: {
      const cv::Mat rows = rowsOf(out, "output-format=yolox");
      // Anchor-free grid: row i belongs to cell (gx, gy) of stride s, in row-major order per stride.
      std::vector<cv::Vec3i> grid;
      for (int s : strides)
        for (int gy = 0; gy < input.height / s; ++gy)
          for (int gx = 0; gx < input.width / s; ++gx) grid.emplace_back(gx, gy, s);
      if (static_cast<int>(grid.size()) != rows.rows)
        throw DnnOutputError("output-format=yolox: " + std::to_string(rows.rows) + " candidates, but input " +
                             std::to_string(input.width) + "x" + std::to_string(input.height) + " with strides gives " +
                             std::to_string(grid.size()) + " (check input-width/height and yolox-strides)");
      decodeRows(rows, true, minScore, dets, [&](int i, float& cx, float& cy, float& w, float& h) {
        const cv::Vec3i g = grid[i];
        cx = (cx + g[0]) * g[2];
        cy = (cy + g[1]) * g[2];
        w = std::exp(w) * g[2];
        h = std::exp(h) * g[2];
      });
      return dets;
    }
  }
  return dets;
}

namespace {
float iouOf(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}
}  // namespace

std::vector<RawDetection> nmsPerClass(std::vector<RawDetection> dets, float iouThreshold, int maxDetections, bool merge) {
  std::map<int, std::vector<size_t>> byClass;
  for (size_t i = 0; i < dets.size(); ++i) byClass[dets[i].modelClass].push_back(i);
  std::vector<RawDetection> kept;
  for (auto& [cls, idx] : byClass) {
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return dets[a].score > dets[b].score; });
    std::vector<char> gone(idx.size(), 0);
    for (size_t i = 0; i < idx.size(); ++i) {
      if (gone[i]) continue;
      RawDetection best = dets[idx[i]];
      double wsum = best.score, x1 = best.box.x * wsum, y1 = best.box.y * wsum;
      double x2 = (best.box.x + best.box.width) * wsum, y2 = (best.box.y + best.box.height) * wsum;
      for (size_t j = i + 1; j < idx.size(); ++j) {
        if (gone[j] || iouOf(best.box, dets[idx[j]].box) <= iouThreshold) continue;
        gone[j] = 1;
        const RawDetection& o = dets[idx[j]];
        wsum += o.score;
        x1 += o.box.x * o.score;
        y1 += o.box.y * o.score;
        x2 += (o.box.x + o.box.width) * o.score;
        y2 += (o.box.y + o.box.height) * o.score;
      }
      if (merge && wsum > 0)
        best.box = cv::Rect2f(static_cast<float>(x1 / wsum), static_cast<float>(y1 / wsum),
                              static_cast<float>((x2 - x1) / wsum), static_cast<float>((y2 - y1) / wsum));
      kept.push_back(best);
    }
  }
  std::sort(kept.begin(), kept.end(), [](const RawDetection& a, const RawDetection& b) { return a.score > b.score; });
  if (static_cast<int>(kept.size()) > maxDetections) kept.resize(maxDetections);
  return kept;
}

}  // namespace dsk::cpu

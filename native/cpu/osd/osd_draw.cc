#include "cpu/osd/osd_draw.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "core/analytics/geometry.h"
#include "core/analytics/line_crossing.h"
#include "core/analytics/roi.h"

namespace dsk::cpu::osd {

namespace {

cv::Point px(const Point& p) {
  auto c = [](double v) { return static_cast<int>(std::lround(std::clamp(v, -1e6, 1e6))); };
  return {c(p.x), c(p.y)};
}

// Sizes follow the picture: readable on 432p and 1080p alike.
struct Style {
  double font;
  int thick;    // rule lines
  int text;     // text stroke
  explicit Style(const cv::Mat& m) {
    const double u = std::max(0.5, m.rows / 720.0);
    font = std::max(0.45, 0.62 * u);
    thick = std::max(3, static_cast<int>(std::lround(3 * u)));
    text = std::max(1, static_cast<int>(std::lround(1.4 * u)));
  }
};

// Text on a dark box; `at` is the box's top-left corner, moved inside the picture.
void label(cv::Mat& img, const std::string& text, cv::Point at, const Bgr& colour, const Style& st) {
  int base = 0;
  const cv::Size ts = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, st.font, st.text, &base);
  const int pad = 3;
  cv::Rect box(at.x, at.y, ts.width + 2 * pad, ts.height + base + 2 * pad);
  box.x = std::clamp(box.x, 0, std::max(0, img.cols - box.width));
  box.y = std::clamp(box.y, 0, std::max(0, img.rows - box.height));
  cv::Mat roi = img(box & cv::Rect(0, 0, img.cols, img.rows));
  roi.convertTo(roi, -1, 0.35, 0);  // darken behind the text
  cv::putText(img, text, {box.x + pad, box.y + pad + ts.height}, cv::FONT_HERSHEY_SIMPLEX, st.font, colour.scalar(),
              st.text, cv::LINE_AA);
}

void dashed(cv::Mat& img, cv::Point p1, cv::Point p2, const Bgr& colour, int thickness) {
  const double len = std::hypot(p2.x - p1.x, p2.y - p1.y);
  if (len < 1) return;
  const double dash = 14, gap = 10;
  for (double t = 0; t < len; t += dash + gap) {
    const double e = std::min(len, t + dash);
    cv::Point a(static_cast<int>(p1.x + (p2.x - p1.x) * t / len), static_cast<int>(p1.y + (p2.y - p1.y) * t / len));
    cv::Point b(static_cast<int>(p1.x + (p2.x - p1.x) * e / len), static_cast<int>(p1.y + (p2.y - p1.y) * e / len));
    cv::line(img, a, b, colour.scalar(), thickness, cv::LINE_AA);
  }
}

std::vector<cv::Point> polygonPx(const std::vector<Point>& poly) {
  std::vector<cv::Point> out;
  for (const auto& p : poly) out.push_back(px(p));
  return out;
}

cv::Point centroid(const std::vector<cv::Point>& pts) {
  double x = 0, y = 0;
  for (const auto& p : pts) x += p.x, y += p.y;
  return pts.empty() ? cv::Point() : cv::Point(static_cast<int>(x / pts.size()), static_cast<int>(y / pts.size()));
}

bool outside(const Point& p, const AnalyticsConfig& c) {
  return !geom::isFinite(p) || p.x < 0 || p.y < 0 || p.x > c.configWidth || p.y > c.configHeight;
}

std::string fmt(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

}  // namespace

std::string classLabel(int classId) {
  static const char* kNames[] = {"car", "bicycle", "person", "roadsign"};
  return classId >= 0 && classId < 4 ? kNames[classId] : std::to_string(classId);
}

std::vector<std::string> outOfBoundsWarnings(const AnalyticsConfig& cfg, const StreamAnalyticsConfig& s) {
  std::vector<std::string> out;
  auto check = [&](const char* kind, const std::string& label, const std::vector<Point>& pts) {
    for (const auto& p : pts)
      if (outside(p, cfg)) {
        out.push_back("stream " + std::to_string(s.streamId) + ": " + kind + " \"" + label + "\" has point (" +
                      fmt(p.x) + ", " + fmt(p.y) + ") outside config-width x config-height " +
                      std::to_string(cfg.configWidth) + "x" + std::to_string(cfg.configHeight) + ": drawn clipped");
        return;
      }
  };
  for (const auto& r : s.rois) check("roi-filtering", r.label, r.polygon);
  for (const auto& r : s.overcrowding) check("overcrowding", r.label, r.polygon);
  for (const auto& r : s.lines) check("line-crossing", r.label, {r.arrowFrom, r.arrowTo, r.lineA, r.lineB});
  for (const auto& r : s.directions) check("direction", r.label, {r.from, r.to});
  return out;
}

void drawRules(cv::Mat& img, const AnalyticsConfig& cfg, const StreamAnalyticsConfig& s, const RuleState* state) {
  const Style st(img);
  const double sx = cfg.configWidth > 0 ? static_cast<double>(img.cols) / cfg.configWidth : 1.0;
  const double sy = cfg.configHeight > 0 ? static_cast<double>(img.rows) / cfg.configHeight : 1.0;
  auto on = [](const std::map<std::string, bool>* m, const std::string& k) {
    if (!m) return false;
    auto it = m->find(k);
    return it != m->end() && it->second;
  };

  // Polygons: one translucent layer for every fill, then outlines and names on top.
  struct Poly {
    std::vector<cv::Point> pts;
    Bgr colour;
    std::string text;
    bool strong;
  };
  std::vector<Poly> polys;
  for (const auto& r : s.rois) {
    const auto sp = analytics::scalePolygon(r.polygon, sx, sy);
    polys.push_back({polygonPx(sp.points), colours::kRoi, r.label + (r.inverse ? " (inverse)" : ""), false});
  }
  for (const auto& r : s.overcrowding) {
    const auto sp = analytics::scalePolygon(r.polygon, sx, sy);
    const bool oc = on(state ? &state->overcrowded : nullptr, r.label);
    polys.push_back({polygonPx(sp.points), colours::kOvercrowding,
                     r.label + " >= " + std::to_string(r.objectThreshold) + (oc ? " OVERCROWDED" : ""), oc});
  }
  if (!polys.empty()) {
    cv::Mat layer = img.clone();
    for (const auto& p : polys)
      if (p.pts.size() >= 3) cv::fillPoly(layer, std::vector<std::vector<cv::Point>>{p.pts}, p.colour.scalar(), cv::LINE_AA);
    cv::addWeighted(layer, kFillAlpha, img, 1 - kFillAlpha, 0, img);
    for (const auto& p : polys) {
      if (p.pts.size() < 2) continue;
      cv::polylines(img, std::vector<std::vector<cv::Point>>{p.pts}, true, p.colour.scalar(), p.strong ? st.thick * 2 : 2,
                    cv::LINE_AA);
      label(img, p.text, centroid(p.pts) + cv::Point(-20, -10), p.colour, st);
    }
  }

  const cv::Rect frame(0, 0, img.cols, img.rows);
  for (const auto& r : s.lines) {
    const analytics::ScaledLine L = analytics::scaleLine(r, sx, sy);
    const Point d = geom::sub(L.b, L.a);
    const double segLen = std::hypot(d.x, d.y);
    if (!(segLen > 0) || !geom::isFinite(L.a) || !geom::isFinite(L.b)) continue;
    const bool flash = on(state ? &state->flash : nullptr, r.label);
    if (r.extended) {  // the counting line is infinite: dashed beyond the segment, to the picture's edges
      cv::Point e1 = px({L.a.x - d.x / segLen * 1e5, L.a.y - d.y / segLen * 1e5}), e2 = px(L.a);
      if (cv::clipLine(frame, e1, e2)) dashed(img, e1, e2, colours::kLine, std::max(1, st.thick / 2));
      cv::Point f1 = px(L.b), f2 = px({L.b.x + d.x / segLen * 1e5, L.b.y + d.y / segLen * 1e5});
      if (cv::clipLine(frame, f1, f2)) dashed(img, f1, f2, colours::kLine, std::max(1, st.thick / 2));
    }
    cv::line(img, px(L.a), px(L.b), (flash ? colours::kLineFlash : colours::kLine).scalar(),
             flash ? st.thick * 3 : st.thick, cv::LINE_AA);
    const Point mid{(L.a.x + L.b.x) / 2, (L.a.y + L.b.y) / 2};
    Point tip = mid;
    if (L.endSide != 0) {
      // The arrow's own direction (from its start to its end), across the midpoint: the head lies on the side
      // objects must arrive at (scaleLine's endSide), the tail a little on the side they come from.
      Point u = geom::sub(L.arrowTo, L.arrowFrom);
      const double n = std::hypot(u.x, u.y);
      u = {u.x / n, u.y / n};
      const double len = std::clamp(0.35 * segLen, 24.0, 0.12 * img.rows + 24.0);
      const Point tail{mid.x - u.x * len * 0.3, mid.y - u.y * len * 0.3};
      tip = {mid.x + u.x * len * 0.7, mid.y + u.y * len * 0.7};
      cv::arrowedLine(img, px(tail), px(tip), colours::kLineArrow.scalar(), st.thick, cv::LINE_AA, 0, 0.4);
    }
    const double headW = L.endSide != 0 ? 0.25 * std::clamp(0.35 * segLen, 24.0, 0.12 * img.rows + 24.0) : 0;
    label(img, r.label + (L.endSide == 0 ? " (unusable: arrow parallel to line)" : ""),
          px(tip) + cv::Point(static_cast<int>(headW) + 4, -8),
          colours::kLine, st);
  }

  for (const auto& r : s.directions) {
    const Point a = geom::scale(r.from, sx, sy), b = geom::scale(r.to, sx, sy);
    if (!geom::isFinite(a) || !geom::isFinite(b)) continue;
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    if (!(len > 0)) continue;
    cv::arrowedLine(img, px(a), px(b), colours::kDirection.scalar(), st.thick, cv::LINE_AA, 0,
                    std::min(0.4, 24.0 / len * 1.5));
    label(img, "DIR " + r.label, px(b) + cv::Point(6, 4), colours::kDirection, st);
  }
}

OsdRenderer::OsdRenderer(AnalyticsConfig cfg, int streamId) : cfg_(std::move(cfg)), streamId_(streamId) {
  stream_ = cfg_.stream(streamId_);
}

void OsdRenderer::draw(cv::Mat& img, const FrameResult& r) {
  const Style st(img);
  const double bx = r.width > 0 ? static_cast<double>(img.cols) / r.width : 1.0;
  const double by = r.height > 0 ? static_cast<double>(img.rows) / r.height : 1.0;
  const int64_t now = r.ptsMs;

  RuleState state;
  for (const auto& [label, n] : r.analytics.objLCCurrCnt)
    if (n > 0) flashUntil_[label] = now + kFlashMs;
  for (const auto& [label, until] : flashUntil_) state.flash[label] = now < until;
  state.overcrowded = r.analytics.ocStatus;
  if (stream_) drawRules(img, cfg_, *stream_, &state);

  for (const auto& o : r.objects) {
    auto& t = trails_[o.id];
    t.points.emplace_back(now, cv::Point(static_cast<int>((o.box.left + o.box.width / 2) * bx),
                                         static_cast<int>((o.box.top + o.box.height) * by)));
    t.lastSeenMs = now;
  }
  for (auto it = trails_.begin(); it != trails_.end();) {
    auto& pts = it->second.points;
    while (!pts.empty() && pts.front().first < now - kTrailMs) pts.pop_front();
    if (pts.empty() || now - it->second.lastSeenMs > kTrailMs) {
      it = trails_.erase(it);
      continue;
    }
    std::vector<cv::Point> line;
    for (const auto& p : pts) line.push_back(p.second);
    if (line.size() >= 2) cv::polylines(img, std::vector<std::vector<cv::Point>>{line}, false, colours::kBox.scalar(), 2, cv::LINE_AA);
    cv::circle(img, line.back(), 3, colours::kBox.scalar(), cv::FILLED, cv::LINE_AA);
    ++it;
  }
  for (const auto& o : r.objects) {
    const cv::Rect box(static_cast<int>(o.box.left * bx), static_cast<int>(o.box.top * by),
                       static_cast<int>(o.box.width * bx), static_cast<int>(o.box.height * by));
    cv::rectangle(img, box, colours::kBox.scalar(), o.coasting ? 1 : 2, cv::LINE_AA);
    std::string text = "#" + std::to_string(o.id) + " " + classLabel(o.classId);
    int base = 0;
    const int h = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, st.font, st.text, &base).height + base + 6;
    label(img, text, {box.x, box.y - h}, colours::kBox, st);
  }

  // lc_cum panel, top-left (every line of the stream, even before its first crossing).
  std::map<std::string, uint64_t> cum;
  if (stream_)
    for (const auto& l : stream_->lines) cum[l.label] = 0;
  for (const auto& [label, n] : r.analytics.objLCCumCnt) cum[label] = n;
  std::vector<std::string> rows;
  rows.push_back("frame " + std::to_string(r.frameNum) + "  " + fmt(std::round(now / 100.0) / 10.0) + " s  objects " +
                 std::to_string(r.objects.size()));
  for (const auto& [label, n] : cum) rows.push_back("lc_cum " + label + " = " + std::to_string(n));
  int y = 4;
  for (const auto& row : rows) {
    int base = 0;
    const int h = cv::getTextSize(row, cv::FONT_HERSHEY_SIMPLEX, st.font, st.text, &base).height + base + 6;
    label(img, row, {4, y}, colours::kText, st);
    y += h;
  }
}

}  // namespace dsk::cpu::osd

#include "cpu/generator/renderer.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace dsk::generator {

uint64_t mixSeed(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t z = seed;
  for (uint64_t v : {a, b}) {
    z += 0x9E3779B97F4A7C15ULL ^ (v * 0xD6E8FEB86659FD93ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
  }
  return z ? z : 0x2545F4914F6CDD1DULL;
}

namespace {

constexpr double kPi = 3.14159265358979323846;

cv::Scalar bgr(int r, int g, int b) { return cv::Scalar(b, g, r); }

// Smooth value noise: uniform random on a coarse grid, upsampled with bicubic interpolation.
cv::Mat lowFrequencyNoise(cv::RNG& rng, cv::Size size, int cell, double amplitude) {
  cv::Mat coarse(std::max(2, size.height / cell + 2), std::max(2, size.width / cell + 2), CV_32F);
  rng.fill(coarse, cv::RNG::UNIFORM, -amplitude, amplitude);
  cv::Mat up;
  cv::resize(coarse, up, cv::Size(coarse.cols * cell, coarse.rows * cell), 0, 0, cv::INTER_CUBIC);
  return up(cv::Rect(0, 0, size.width, size.height)).clone();
}

void drawDashedLine(cv::Mat& img, cv::Point a, cv::Point b, const cv::Scalar& color, int thickness, int dash, int gap) {
  const double len = std::hypot(b.x - a.x, b.y - a.y);
  if (len < 1) return;
  const double dx = (b.x - a.x) / len, dy = (b.y - a.y) / len;
  for (double t = 0; t < len; t += dash + gap) {
    const double e = std::min(len, t + dash);
    cv::line(img, cv::Point(cvRound(a.x + dx * t), cvRound(a.y + dy * t)),
             cv::Point(cvRound(a.x + dx * e), cvRound(a.y + dy * e)), color, thickness, cv::LINE_AA);
  }
}

void drawTree(cv::Mat& img, cv::RNG& rng, cv::Point c, int r) {
  cv::circle(img, c + cv::Point(r / 5, r / 5), r, bgr(35, 55, 35), cv::FILLED, cv::LINE_AA);  // shade
  for (int k = 0; k < 6; ++k) {
    cv::Point p = c + cv::Point(rng.uniform(-r / 2, r / 2 + 1), rng.uniform(-r / 2, r / 2 + 1));
    int g = rng.uniform(85, 130);
    cv::circle(img, p, std::max(2, r * 2 / 3), bgr(g / 2, g, g / 3 + 20), cv::FILLED, cv::LINE_AA);
  }
}

void drawBuilding(cv::Mat& img, cv::RNG& rng, cv::Rect r) {
  const int base = rng.uniform(110, 170);
  const int tint = rng.uniform(-20, 21);
  cv::rectangle(img, r, bgr(base + tint, base, base - tint), cv::FILLED);
  cv::rectangle(img, r, bgr(base / 2, base / 2, base / 2), std::max(2, r.width / 60));
  // roof details: vents / AC units
  const int n = rng.uniform(2, 6);
  for (int i = 0; i < n; ++i) {
    int w = std::max(4, r.width / rng.uniform(6, 12)), h = std::max(4, r.height / rng.uniform(6, 12));
    cv::Point p(r.x + rng.uniform(w, std::max(w + 1, r.width - 2 * w)), r.y + rng.uniform(h, std::max(h + 1, r.height - 2 * h)));
    int v = rng.uniform(150, 210);
    cv::rectangle(img, cv::Rect(p.x, p.y, w, h), bgr(v, v, v), cv::FILLED);
    cv::rectangle(img, cv::Rect(p.x, p.y, w, h), bgr(v / 2, v / 2, v / 2), 1);
  }
}

}  // namespace

Renderer::Renderer(const Scenario& scenario) : s_(scenario) {
  buildBackground();
  cv::cvtColor(background_, backgroundGray_, cv::COLOR_BGR2GRAY);
  sprites_.reserve(s_.objects.size());
  for (size_t i = 0; i < s_.objects.size(); ++i) sprites_.push_back(buildSprite(s_.objects[i], i));
  if (s_.noise > 0) {
    // ~12 M samples per field set at most (6 fields at 720p, 1 at 4K) to bound memory.
    const double pixels = static_cast<double>(s_.width) * s_.height;
    const int fields = std::max(1, std::min(kNoiseFields, static_cast<int>(12e6 / pixels)));
    for (int k = 0; k < fields; ++k) {
      cv::RNG rng(mixSeed(s_.seed, 0x400, static_cast<uint64_t>(k)));
      cv::Mat field(s_.height + kNoiseMargin, s_.width + kNoiseMargin, CV_16SC3);
      rng.fill(field, cv::RNG::NORMAL, 0.0, s_.noise);
      noiseBank_.push_back(field);
    }
  }
}

void Renderer::buildBackground() {
  const int W = s_.width, H = s_.height;
  const double unit = std::min(W, H) / 720.0;  // layout scale relative to 720p
  cv::RNG rng(mixSeed(s_.seed, 0xB6));
  cv::Mat img(H, W, CV_8UC3);

  if (s_.background == BackgroundKind::Road) {
    // An intersection seen from a pole camera: asphalt everywhere, kerbed blocks in the corners with
    // grass, trees and roofs, lane markings and crosswalks.
    img.setTo(bgr(98, 99, 104));
    const int cx = cvRound(W * rng.uniform(0.42, 0.58)), cy = cvRound(H * rng.uniform(0.40, 0.56));
    const int hw = cvRound(W * rng.uniform(0.22, 0.27)), hh = cvRound(H * rng.uniform(0.22, 0.28));
    const int kerb = std::max(3, cvRound(10 * unit));
    const cv::Rect corners[4] = {cv::Rect(0, 0, cx - hw, cy - hh), cv::Rect(cx + hw, 0, W - cx - hw, cy - hh),
                                 cv::Rect(0, cy + hh, cx - hw, H - cy - hh), cv::Rect(cx + hw, cy + hh, W - cx - hw, H - cy - hh)};
    for (const auto& c0 : corners) {
      cv::Rect c = c0 & cv::Rect(0, 0, W, H);
      if (c.width <= 0 || c.height <= 0) continue;
      cv::rectangle(img, c, bgr(150, 148, 142), cv::FILLED);  // sidewalk
      cv::Rect g(c.x + 3 * kerb, c.y + 3 * kerb, c.width - 6 * kerb, c.height - 6 * kerb);
      if (g.width > 10 && g.height > 10) {
        cv::rectangle(img, g, bgr(78, 122, 66), cv::FILLED);  // grass
        if (rng.uniform(0, 2) == 0 && g.width > 60 && g.height > 60) {
          cv::Rect b(g.x + g.width / 6, g.y + g.height / 6, g.width * 2 / 3, g.height * 2 / 3);
          drawBuilding(img, rng, b);
        } else {
          const int trees = rng.uniform(2, 6);
          for (int t = 0; t < trees; ++t) {
            int r = std::max(4, cvRound(rng.uniform(18.0, 34.0) * unit));
            cv::Point p(rng.uniform(g.x, g.x + g.width), rng.uniform(g.y, g.y + g.height));
            drawTree(img, rng, p, r);
          }
        }
      }
      cv::rectangle(img, c, bgr(128, 128, 124), kerb);  // kerb stones
    }
    const int lw = std::max(2, cvRound(4 * unit));
    const int dash = cvRound(34 * unit), gap = cvRound(26 * unit);
    const int stripe = std::max(3, cvRound(12 * unit)), depth = cvRound(38 * unit);
    const int stopX0 = cx - hw - depth - 2 * kerb, stopX1 = cx + hw + depth + 2 * kerb;  // markings end at
    const int stopY0 = cy - hh - depth - 2 * kerb, stopY1 = cy + hh + depth + 2 * kerb;  // the crosswalks
    const cv::Scalar yellow = bgr(196, 172, 70), white = bgr(178, 178, 172);  // worn paint
    drawDashedLine(img, cv::Point(0, cy), cv::Point(stopX0, cy), yellow, lw, dash, gap);
    drawDashedLine(img, cv::Point(W, cy), cv::Point(stopX1, cy), yellow, lw, dash, gap);
    drawDashedLine(img, cv::Point(cx, 0), cv::Point(cx, stopY0), yellow, lw, dash, gap);
    drawDashedLine(img, cv::Point(cx, H), cv::Point(cx, stopY1), yellow, lw, dash, gap);
    for (int k : {-1, 1}) {
      drawDashedLine(img, cv::Point(0, cy + k * hh / 2), cv::Point(stopX0, cy + k * hh / 2), white, lw - 1, dash / 2, gap);
      drawDashedLine(img, cv::Point(W, cy + k * hh / 2), cv::Point(stopX1, cy + k * hh / 2), white, lw - 1, dash / 2, gap);
      drawDashedLine(img, cv::Point(cx + k * hw / 2, 0), cv::Point(cx + k * hw / 2, stopY0), white, lw - 1, dash / 2, gap);
      drawDashedLine(img, cv::Point(cx + k * hw / 2, H), cv::Point(cx + k * hw / 2, stopY1), white, lw - 1, dash / 2, gap);
    }
    // stop lines
    cv::line(img, cv::Point(stopX0, cy), cv::Point(stopX0, cy + hh - kerb), white, lw + 1);
    cv::line(img, cv::Point(stopX1, cy), cv::Point(stopX1, cy - hh + kerb), white, lw + 1);
    cv::line(img, cv::Point(cx, stopY0), cv::Point(cx - hw + kerb, stopY0), white, lw + 1);
    cv::line(img, cv::Point(cx, stopY1), cv::Point(cx + hw - kerb, stopY1), white, lw + 1);
    // crosswalks on the four arms
    for (int x = cx - hw + stripe; x < cx + hw - stripe; x += 2 * stripe) {
      cv::rectangle(img, cv::Rect(x, cy - hh - depth - kerb, stripe, depth), bgr(172, 172, 168), cv::FILLED);
      cv::rectangle(img, cv::Rect(x, cy + hh + kerb, stripe, depth), bgr(172, 172, 168), cv::FILLED);
    }
    for (int y = cy - hh + stripe; y < cy + hh - stripe; y += 2 * stripe) {
      cv::rectangle(img, cv::Rect(cx - hw - depth - kerb, y, depth, stripe), bgr(172, 172, 168), cv::FILLED);
      cv::rectangle(img, cv::Rect(cx + hw + kerb, y, depth, stripe), bgr(172, 172, 168), cv::FILLED);
    }
    // a few stains / patches on the asphalt
    for (int k = 0; k < 10; ++k) {
      cv::Point p(rng.uniform(0, W), rng.uniform(0, H));
      cv::Size ax(cvRound(rng.uniform(10.0, 40.0) * unit), cvRound(rng.uniform(6.0, 24.0) * unit));
      int v = rng.uniform(78, 92);
      cv::ellipse(img, p, ax, rng.uniform(0.0, 180.0), 0, 360, bgr(v, v, v + 3), cv::FILLED, cv::LINE_AA);
    }
  } else if (s_.background == BackgroundKind::Plaza) {
    // Paved square: tiles with per-tile tone, mortar joints, planters along the border.
    img.setTo(bgr(120, 116, 110));
    const int tile = std::max(8, cvRound(48 * unit));
    for (int y = 0; y < H; y += tile) {
      const int off = ((y / tile) % 2) * tile / 2;
      for (int x = -off; x < W; x += tile) {
        int v = rng.uniform(138, 168);
        int warm = rng.uniform(0, 12);
        cv::rectangle(img, cv::Rect(x + 1, y + 1, tile - 2, tile - 2), bgr(v + warm, v, v - warm), cv::FILLED);
      }
    }
    const int planters = rng.uniform(3, 7);
    for (int k = 0; k < planters; ++k) {
      int pw = cvRound(rng.uniform(60.0, 120.0) * unit), ph = cvRound(rng.uniform(30.0, 60.0) * unit);
      bool top = rng.uniform(0, 2) == 0;
      cv::Rect r(rng.uniform(0, std::max(1, W - pw)), top ? cvRound(8 * unit) : H - ph - cvRound(8 * unit), pw, ph);
      cv::rectangle(img, r, bgr(110, 100, 92), cv::FILLED);
      drawTree(img, rng, cv::Point(r.x + pw / 2, r.y + ph / 2), std::max(4, ph / 2));
    }
  } else {
    img.setTo(bgr(110, 112, 108));
  }

  // Texture over everything: large blotches, fine grain, vignetting; then optics blur.
  cv::Mat f;
  img.convertTo(f, CV_32FC3);
  const double tex = s_.backgroundTexture;
  cv::Mat low = lowFrequencyNoise(rng, img.size(), std::max(8, cvRound(96 * unit)), 14.0 * tex);
  cv::Mat mid = lowFrequencyNoise(rng, img.size(), std::max(4, cvRound(14 * unit)), 7.0 * tex);
  cv::Mat grain(H, W, CV_32F);
  rng.fill(grain, cv::RNG::NORMAL, 0.0, 7.0 * tex);
  cv::GaussianBlur(grain, grain, cv::Size(0, 0), 0.8);
  cv::Mat lum = low + mid + grain;
  cv::Mat lum3;
  cv::merge(std::vector<cv::Mat>{lum, lum, lum}, lum3);
  f += lum3;
  // vignetting: up to −15 % in the corners
  cv::Mat vig(H, W, CV_32F);
  for (int y = 0; y < H; ++y) {
    float* row = vig.ptr<float>(y);
    const double dy = (y - H / 2.0) / (H / 2.0);
    for (int x = 0; x < W; ++x) {
      const double dx = (x - W / 2.0) / (W / 2.0);
      row[x] = static_cast<float>(1.0 - 0.075 * (dx * dx + dy * dy));
    }
  }
  cv::Mat vig3;
  cv::merge(std::vector<cv::Mat>{vig, vig, vig}, vig3);
  f = f.mul(vig3);
  f.convertTo(background_, CV_8UC3);
  cv::GaussianBlur(background_, background_, cv::Size(0, 0), 0.7);
}

Renderer::PathLuma Renderer::backgroundLumaAlong(const SceneObject& o) const {
  const int first = std::max(0, o.appear), last = std::min(s_.frames - 1, o.disappear);
  const cv::Rect frameRect(0, 0, s_.width, s_.height);
  double hist[256] = {0};
  double total = 0, sum = 0;
  const int steps = 48;
  for (int k = 0; k <= steps && last >= first; ++k) {
    const int f = first + static_cast<int>((static_cast<long long>(last - first) * k) / steps);
    double x, y;
    positionAt(o, f, x, y);
    if (std::abs(x) > 1e6 || std::abs(y) > 1e6) continue;
    const cv::Rect box(cvRound(x - o.width / 2.0), cvRound(y) - o.height, o.width, o.height);
    const cv::Rect vis = box & frameRect;
    if (vis.empty()) continue;
    for (int yy = vis.y; yy < vis.y + vis.height; ++yy) {
      const uchar* row = backgroundGray_.ptr<uchar>(yy);
      for (int xx = vis.x; xx < vis.x + vis.width; ++xx) {
        hist[row[xx]] += 1;
        sum += row[xx];
        total += 1;
      }
    }
  }
  PathLuma r;
  if (total <= 0) {
    r.mean = cv::mean(backgroundGray_)[0];
    r.p99 = r.mean;
    return r;
  }
  r.mean = sum / total;
  double acc = 0;
  for (int v = 0; v < 256; ++v) {
    acc += hist[v];
    if (acc >= 0.99 * total) {
      r.p99 = v;
      break;
    }
  }
  return r;
}

Renderer::Sprite Renderer::buildSprite(const SceneObject& o, size_t index) const {
  const int w = o.width, h = o.height;
  cv::RNG rng(mixSeed(s_.seed, 0x0B1, index));
  // Body colour brighter than (nearly) everything the object passes over: a background-subtraction
  // detector with shadow detection drops pixels darker than the background, and works on luma, where a red
  // car can look like asphalt. Hue is kept; only a background too bright for that gets a dark object.
  double r = o.r, g = o.g, b = o.b;
  const PathLuma bg = backgroundLumaAlong(o);
  const double L = 0.299 * r + 0.587 * g + 0.114 * b;
  const double lightTarget = std::min(kMaxBodyLuma, std::max(bg.p99 + kLumaMargin * 0.75, bg.mean + kLumaMargin));
  const bool raw = o.luma >= 0;  // the scenario fixes the body luma: no push away from the background
  const bool dark = raw ? o.luma < bg.mean : lightTarget < bg.mean + kLumaMargin * 0.5;
  if (raw) {
    if (L < 1) r = g = b = o.luma;  // black: a grey of that luma
    else {
      // Keep the hue: scale towards the target luma, then share whatever clipping at 255 lost.
      const double k = o.luma / L;
      r = std::min(255.0, r * k), g = std::min(255.0, g * k), b = std::min(255.0, b * k);
      const double L2 = 0.299 * r + 0.587 * g + 0.114 * b;
      if (L2 < o.luma - 0.5) {
        const double t = (o.luma - L2) / std::max(1.0, 255.0 - L2);
        r += (255 - r) * t, g += (255 - g) * t, b += (255 - b) * t;
      }
    }
  } else if (!dark && L < lightTarget) {
    const double t = (lightTarget - L) / std::max(1.0, 255.0 - L);
    r += (255 - r) * t, g += (255 - g) * t, b += (255 - b) * t;
  } else if (dark) {
    const double k = std::min(1.0, (bg.mean * 0.4) / std::max(1.0, L));  // darker than a shadow could be
    r *= k, g *= k, b *= k;
  }
  cv::Mat f(h, w, CV_32FC3, cv::Scalar(b, g, r));
  const float window = dark ? 0.6f : 0.85f;  // windows stay on the body's side of the background
  const float roof = dark ? 1.15f : 1.05f;
  // own surface texture: blurred noise, same on all channels
  cv::Mat t(h, w, CV_32F);
  rng.fill(t, cv::RNG::NORMAL, 0.0, 1.0);
  // Fine-grained (≈2 px) and strong: as the object moves a few pixels per frame, every pixel it covers
  // keeps changing, so a background-subtraction model cannot absorb a slow or long object's interior.
  cv::GaussianBlur(t, t, cv::Size(0, 0), 1.6);
  cv::Scalar mean, sd;
  cv::meanStdDev(t, mean, sd);
  t = (t - mean[0]) * (o.texture / 2.0 / std::max(1e-6, sd[0]));  // standard deviation = texture / 2
  cv::Mat shade(h, w, CV_32F, cv::Scalar(1.0));
  if (o.shape == Shape::Rect) {
    // vehicle-like: windscreen and rear window, brighter roof
    auto band = [&](double y0, double y1, double x0, double x1, float k) {
      const cv::Rect rc(cvRound(w * x0), cvRound(h * y0), std::max(1, cvRound(w * (x1 - x0))), std::max(1, cvRound(h * (y1 - y0))));
      shade(rc & cv::Rect(0, 0, w, h)).setTo(k);
    };
    if (h >= w) {
      band(0.16, 0.32, 0.12, 0.88, window);
      band(0.36, 0.66, 0.14, 0.86, roof);
      band(0.72, 0.84, 0.14, 0.86, window);
    } else {
      band(0.12, 0.88, 0.16, 0.32, window);
      band(0.14, 0.86, 0.36, 0.66, roof);
      band(0.14, 0.86, 0.72, 0.84, window);
    }
  } else {
    for (int y = 0; y < h; ++y) {
      float* row = shade.ptr<float>(y);
      const double dy = (y - (h - 1) / 2.0) / std::max(1.0, h / 2.0);
      for (int x = 0; x < w; ++x) {
        const double dx = (x - (w - 1) / 2.0) / std::max(1.0, w / 2.0);
        row[x] = static_cast<float>(1.1 - 0.2 * (dx * dx + dy * dy));
      }
    }
  }
  cv::Mat t3, s3;
  cv::merge(std::vector<cv::Mat>{t, t, t}, t3);
  cv::merge(std::vector<cv::Mat>{shade, shade, shade}, s3);
  f = f.mul(s3) + t3;
  Sprite sp;
  f.convertTo(sp.bgr, CV_8UC3);
  sp.mask = cv::Mat::zeros(h, w, CV_8U);
  const int outline = std::max(1, cvRound(std::min(w, h) / 16.0));
  const cv::Scalar outlineColor(22, 22, 26);
  if (o.shape == Shape::Rect) {
    sp.mask.setTo(255);
    cv::rectangle(sp.bgr, cv::Rect(0, 0, w, h), outlineColor, outline);
  } else {
    // Sub-pixel centre/axes (shift 4) so the ellipse touches all four sides of the w × h box.
    const cv::Point c((w - 1) * 8, (h - 1) * 8);
    const cv::Size ax((w - 1) * 8, (h - 1) * 8);
    cv::ellipse(sp.mask, c, ax, 0, 0, 360, cv::Scalar(255), cv::FILLED, cv::LINE_8, 4);
    cv::Mat ring = cv::Mat::zeros(h, w, CV_8U);
    cv::ellipse(ring, c, ax, 0, 0, 360, cv::Scalar(255), outline, cv::LINE_8, 4);
    sp.bgr.setTo(outlineColor, ring & sp.mask);
  }
  if (o.shadowFactor < 1) {
    // The shape, blurred a little (penumbra), as a per-pixel brightness factor 1 - (1 - factor) * coverage.
    cv::Mat cover = cv::Mat::zeros(h + 2 * kShadowPad, w + 2 * kShadowPad, CV_32F);
    sp.mask.convertTo(cover(cv::Rect(kShadowPad, kShadowPad, w, h)), CV_32F, 1.0 / 255);
    cv::GaussianBlur(cover, cover, cv::Size(0, 0), kShadowPad / 2.0);
    cv::Mat f1 = 1.0 - cover * (1.0 - o.shadowFactor);
    cv::merge(std::vector<cv::Mat>{f1, f1, f1}, sp.shadow);
  }
  return sp;
}

void Renderer::render(int index, cv::Mat& out) {
  background_.copyTo(composed_);
  const cv::Rect frameRect(0, 0, s_.width, s_.height);
  // Cast shadows first: objects are drawn over them.
  for (size_t i = 0; i < s_.objects.size(); ++i) {
    const SceneObject& o = s_.objects[i];
    if (sprites_[i].shadow.empty() || !presentAt(o, index)) continue;
    double x, y;
    positionAt(o, index, x, y);
    const double lx = std::floor(x + o.shadowDx - o.width / 2.0 + 0.5) - kShadowPad;
    const double ty = std::floor(y + o.shadowDy + 0.5) - o.height - kShadowPad;
    if (lx > s_.width || ty > s_.height || lx + o.width + 2 * kShadowPad < 0 || ty + o.height + 2 * kShadowPad < 0) continue;
    const cv::Rect box(static_cast<int>(lx), static_cast<int>(ty), o.width + 2 * kShadowPad, o.height + 2 * kShadowPad);
    const cv::Rect vis = box & frameRect;
    if (vis.empty()) continue;
    const cv::Rect src(vis.x - box.x, vis.y - box.y, vis.width, vis.height);
    composed_(vis).convertTo(shadowTmp_, CV_32FC3);
    shadowTmp_ = shadowTmp_.mul(sprites_[i].shadow(src));
    shadowTmp_.convertTo(composed_(vis), CV_8UC3);
  }
  for (size_t i = 0; i < s_.objects.size(); ++i) {
    const SceneObject& o = s_.objects[i];
    if (!presentAt(o, index)) continue;
    double x, y;
    positionAt(o, index, x, y);
    // bottom centre (x, y) → box [left, left + w) × [top, top + h), rounded half up like Math.round
    const double lx = std::floor(x - o.width / 2.0 + 0.5), ty = std::floor(y + 0.5) - o.height;
    if (lx > s_.width || ty > s_.height || lx + o.width < 0 || ty + o.height < 0) continue;
    const cv::Rect box(static_cast<int>(lx), static_cast<int>(ty), o.width, o.height);
    const cv::Rect vis = box & frameRect;
    if (vis.empty()) continue;
    const cv::Rect src(vis.x - box.x, vis.y - box.y, vis.width, vis.height);
    sprites_[i].bgr(src).copyTo(composed_(vis), sprites_[i].mask(src));
  }
  const double gain = (1.0 + s_.lightingAmplitude * std::sin(2.0 * kPi * index / s_.lightingPeriodFrames)) *
                      exposureAt(s_, index);
  if (s_.noise <= 0) {
    composed_.convertTo(out, CV_8UC3, gain, 0);
    return;
  }
  composed_.convertTo(shaded_, CV_16SC3, gain, 0);
  // Sensor noise: a window of one of a few pre-drawn Gaussian fields at a per-frame random offset. As
  // good as fresh noise for a detector and an encoder, at a fraction of the cost of 3·W·H normal draws.
  cv::RNG rng(mixSeed(s_.seed, 0x401, static_cast<uint64_t>(index)));
  const int k = rng.uniform(0, static_cast<int>(noiseBank_.size()));
  const int dx = rng.uniform(0, kNoiseMargin), dy = rng.uniform(0, kNoiseMargin);
  shaded_ += noiseBank_[k](cv::Rect(dx, dy, s_.width, s_.height));
  shaded_.convertTo(out, CV_8UC3);
}

}  // namespace dsk::generator

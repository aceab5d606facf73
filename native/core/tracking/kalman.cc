#include "core/tracking/kalman.h"

#include <algorithm>

namespace dsk::tracking {

BoxKalman::BoxKalman(const Box& b, const KalmanNoise& noise) : noise_(noise) {
  const double z[4] = {b.left + b.width / 2, b.top + b.height / 2, b.width, b.height};
  const double s = std::max(1.0, b.height);
  const double posVar = (noise.measurementStdFactor * s) * (noise.measurementStdFactor * s);
  const double velVar = (noise.initialVelocityStdFactor * s) * (noise.initialVelocityStdFactor * s);
  for (int i = 0; i < 4; ++i) {
    axes_[i].x = z[i];
    axes_[i].v = 0;
    axes_[i].pxx = posVar;
    axes_[i].pxv = 0;
    // Size changes far slower than position: a tenth of the position's velocity uncertainty.
    axes_[i].pvv = i < 2 ? velVar : velVar * 0.01;
  }
}

double BoxKalman::scale() const { return std::max(1.0, axes_[3].x); }

void BoxKalman::Axis::predict(double dt, double q) {
  // F = [1 dt; 0 1], Q = q * [dt^3/3 dt^2/2; dt^2/2 dt] (continuous white acceleration, spectral density q)
  x += v * dt;
  const double nxx = pxx + 2 * dt * pxv + dt * dt * pvv + q * dt * dt * dt / 3;
  const double nxv = pxv + dt * pvv + q * dt * dt / 2;
  const double nvv = pvv + q * dt;
  pxx = nxx;
  pxv = nxv;
  pvv = nvv;
}

void BoxKalman::Axis::update(double z, double r) {
  // H = [1 0]
  const double s = pxx + r;
  const double kx = pxx / s, kv = pxv / s;
  const double y = z - x;
  x += kx * y;
  v += kv * y;
  const double nxx = (1 - kx) * pxx;
  const double nxv = (1 - kx) * pxv;
  const double nvv = pvv - kv * pxv;
  pxx = nxx;
  pxv = nxv;
  pvv = nvv;
}

Box BoxKalman::predict(double dtSec) {
  const double dt = std::max(0.0, dtSec);
  const double s = scale();
  const double acc = noise_.accelStdFactor * s;
  const double q = acc * acc;
  for (int i = 0; i < 4; ++i) axes_[i].predict(dt, i < 2 ? q : q * 0.01);
  // A box never shrinks below one pixel, whatever the velocity says.
  for (int i = 2; i < 4; ++i) {
    if (axes_[i].x < 1) {
      axes_[i].x = 1;
      axes_[i].v = 0;
    }
  }
  return box();
}

Box BoxKalman::update(const Box& b) {
  const double z[4] = {b.left + b.width / 2, b.top + b.height / 2, b.width, b.height};
  const double m = noise_.measurementStdFactor * std::max(1.0, b.height);
  const double r = m * m;
  for (int i = 0; i < 4; ++i) axes_[i].update(z[i], r);
  return box();
}

Box BoxKalman::box() const {
  Box b;
  b.width = std::max(1.0, axes_[2].x);
  b.height = std::max(1.0, axes_[3].x);
  b.left = axes_[0].x - b.width / 2;
  b.top = axes_[1].x - b.height / 2;
  return b;
}

}  // namespace dsk::tracking

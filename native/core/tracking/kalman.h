// Constant-velocity Kalman filter for one box: centre x, centre y, width, height, each with its velocity.
// With diagonal measurement noise and per-axis process noise the 8-state filter is block-diagonal, so it
// is computed exactly as four independent 2-state (position, velocity) filters. Pure C++, no OpenCV.
#pragma once

#include "core/types.h"

namespace dsk::tracking {

struct KalmanNoise {
  // Process noise: white acceleration, standard deviation per second^2 as a fraction of the box height
  // (bigger boxes are closer to the camera and move more pixels).
  double accelStdFactor = 2.0;
  // Measurement noise: standard deviation of a detected coordinate as a fraction of the box height.
  double measurementStdFactor = 0.05;
  // Initial velocity uncertainty, as a fraction of the box height per second.
  double initialVelocityStdFactor = 10.0;
};

class BoxKalman {
 public:
  BoxKalman() = default;
  BoxKalman(const Box& initial, const KalmanNoise& noise);

  // Advances the state by dtSec (clamped to >= 0) and returns the predicted box.
  Box predict(double dtSec);
  // Corrects the state with a measured box; returns the filtered box.
  Box update(const Box& measured);

  Box box() const;
  // Velocity of the box centre, pixels per second.
  Point velocity() const { return {axes_[0].v, axes_[1].v}; }

 private:
  struct Axis {
    double x = 0, v = 0;               // state
    double pxx = 0, pxv = 0, pvv = 0;  // covariance (symmetric 2x2)
    void predict(double dt, double q);
    void update(double z, double r);
  };
  Axis axes_[4];  // cx, cy, w, h
  KalmanNoise noise_;
  double scale() const;  // box height used to scale the noise
};

}  // namespace dsk::tracking

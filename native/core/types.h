// Plain data shared by every stage: what a detector/tracker hands to the analytics engine, and what the
// engine hands to the payload builder. Mirrors DeepStream's NvDsObjectMeta / NvDsAnalyticsFrameMeta
// closely enough that the DeepStream glue is a field-by-field copy.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dsk {

struct Point {
  double x = 0;
  double y = 0;
};

struct Box {
  double left = 0;
  double top = 0;
  double width = 0;
  double height = 0;
};

// One tracked object in one frame, in frame pixel coordinates.
struct TrackedObject {
  uint64_t id = 0;       // tracker id; never reused within a run
  int classId = 0;
  Box box;
  double confidence = 1.0;
  // Not detected in this frame: the tracker holds the track at its last measured box through a short
  // gap (so the analytics keep its history and judge a crossing against where it was last seen).
  bool coasting = false;
};

struct FrameInput {
  int streamId = 0;
  uint64_t frameNum = 0;
  int64_t ptsMs = 0;     // presentation time of the frame, milliseconds from stream start
  int frameWidth = 0;    // the frame size the boxes are in; config coordinates are scaled to it
  int frameHeight = 0;
  std::vector<TrackedObject> objects;
};

// Per-object status, as NvDsAnalyticsObjInfo (only objects with some status are listed).
struct ObjectAnalytics {
  uint64_t id = 0;
  int classId = 0;
  std::vector<std::string> roiStatus;
  std::vector<std::string> ocStatus;
  std::vector<std::string> lcStatus;   // only in the frame of the crossing
  std::string dirStatus;               // "DIR:<label>", "STOPPED" or empty
};

// Per-frame result, as NvDsAnalyticsFrameMeta. std::map keeps labels ordered the same way everywhere.
struct FrameAnalytics {
  int streamId = 0;
  uint64_t frameNum = 0;
  int64_t ptsMs = 0;
  std::map<std::string, bool> ocStatus;
  std::map<std::string, uint32_t> objInROIcnt;
  std::map<std::string, uint64_t> objLCCurrCnt;
  std::map<std::string, uint64_t> objLCCumCnt;
  std::map<int, uint32_t> objCnt;      // class id -> objects in frame
  std::vector<ObjectAnalytics> objects;
};

}  // namespace dsk

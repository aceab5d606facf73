// Configuration of the DNN detector (config/detector_dnn.txt), in the spirit of nvinfer's config-file:
// model files, input size, pixel normalisation, thresholds, `interval`, a label file and a class map that
// turns the model's labels into the class ids the analytics config uses (by default DeepStream's
// sample-model ids: car 0, bicycle 1, person 2, roadsign 3, so one config_nvdsanalytics.txt means the
// same on both backends). Errors are KeyFileError naming file, line and key.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cpu/keyfile_lite.h"

namespace dsk::cpu {

enum class DnnOutputFormat { Ssd, Yolov5, Yolov8, Yolox };
const char* toString(DnnOutputFormat f);

struct DnnDetectorConfig {
  std::string modelFile;           // absolute after loading (relative paths are against the config's folder)
  std::string configFile;          // text graph / prototxt / cfg; empty for ONNX
  std::string framework;           // "" = from the file extension (OpenCV's readNet rules)
  DnnOutputFormat outputFormat = DnnOutputFormat::Ssd;
  int inputWidth = 300, inputHeight = 300;  // inputHeight 0: from the frame's aspect ratio (multiple of 32)
  bool letterbox = false;          // keep the aspect ratio and pad (YOLO family) instead of stretching (SSD)
  bool letterboxCentred = false;   // padding on both sides (YOLOv5) or only right/bottom (YOLOX: top-left)
  double padValue = 114;
  double netScaleFactor = 1.0 / 127.5;     // pixel * scale after subtracting offsets (nvinfer's names)
  std::vector<double> offsets = {127.5, 127.5, 127.5};
  bool rgb = true;                 // model-color-format 0 = RGB (swap from the decoder's BGR), 1 = BGR
  std::string labelFile;
  std::vector<std::string> labels; // model class index - classIdOffset -> label
  int classIdOffset = 0;           // TF Object Detection API graphs number classes from 1 (0 = background)
  std::map<std::string, int> classMap;  // label -> reported class id; labels not listed are dropped
  double scoreThreshold = 0.4;     // nvinfer's pre-cluster-threshold
  std::map<int, double> classThresholds;  // per reported class id, overrides scoreThreshold
  double nmsThreshold = 0.45;      // per-class IoU for non-maximum suppression
  bool mergeBoxes = true;          // cluster-mode weighted: kept box = score-weighted mean of its cluster
  double minBoxWidth = 4, minBoxHeight = 4;  // full-frame pixels
  int maxDetections = 100;
  int interval = 0;
  double inferenceFps = 0;         // > 0: detect at most this often in stream time (overrides interval)
  int threads = 0;                 // OpenCV threads for the process; 0 = cores / streams (at least 1)
  std::vector<int> yoloxStrides = {8, 16, 32};
  // Motion gating: skip the network while the background model sees nothing move and the last
  // inference found nothing (as NVRs do), refreshing at least every gateRefreshMs.
  bool gate = true;
  int gateProcessingWidth = 160;
  double gateMinArea = 600;        // full-frame pixels of moving area that wake the network
  int gateRefreshMs = 1000;

  std::string modelName;           // for logs: the model file's stem
};

// The default class map: DeepStream's sample-model class ids for COCO-style label names.
std::map<std::string, int> defaultDnnClassMap();

DnnDetectorConfig dnnDetectorConfigFromKeyFile(const keyfile::KeyFile& file);
DnnDetectorConfig loadDnnDetectorConfig(const std::string& path);

}  // namespace dsk::cpu

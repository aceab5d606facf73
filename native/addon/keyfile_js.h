// JavaScript values -> the CPU backend's key-file settings (detector, tracker), so JS callers can pass a
// config path, an object of overrides, or both, with the same parsing and errors as the files.
#pragma once

#include <napi.h>

#include <string>

#include "cpu/keyfile_lite.h"

namespace dsk::addon {

// Booleans as 1/0, integers without a fraction, arrays as "a;b;c" (key-file list syntax).
std::string keyFileValueString(const Napi::Value& v);

// The file at `path` (none when empty) with the own properties of `overrides` applied to [property].
keyfile::KeyFile keyFileFrom(const std::string& path, const Napi::Value& overrides, const char* what);

}  // namespace dsk::addon

// Checks librdkafka properties without creating a client: each is set, in order, on a scratch
// configuration, so a typo or a bad value is a config error before anything starts (the producer itself
// would only fail while being created, with no file or line to point at).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dsk::kafka {

struct ConfProblem {
  size_t index = 0;     // which property (0-based, in the order given)
  std::string error;    // librdkafka's text, e.g. No such configuration property: "no.such.property"
};

// Returns the first property librdkafka refuses, or an empty error when all are accepted.
ConfProblem checkConfProperties(const std::vector<std::pair<std::string, std::string>>& properties);

}  // namespace dsk::kafka

#include "kafka/conf_check.h"

#include <librdkafka/rdkafka.h>

namespace dsk::kafka {

ConfProblem checkConfProperties(const std::vector<std::pair<std::string, std::string>>& properties) {
  ConfProblem problem;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (size_t i = 0; i < properties.size(); i++) {
    const auto& [k, v] = properties[i];
    err[0] = '\0';
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      problem.index = i;
      problem.error = err[0] != '\0' ? err : "refused by librdkafka";
      break;
    }
  }
  rd_kafka_conf_destroy(conf);
  return problem;
}

}  // namespace dsk::kafka

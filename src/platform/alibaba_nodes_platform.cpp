// Alibaba cluster-trace-gpu-v2023 node list -> Platform. The file (alibaba/clusterdata,
// cluster-trace-gpu-v2023/csv/openb_node_list_*.csv) has one row per node:
//   sn,cpu_milli,memory_mib,gpu,model
//   openb-node-0000,32000,262144,0,
//   openb-node-0228,128000,786432,8,G3
// CPU-only nodes have gpu 0 and an empty model (the upstream README shows it as "nan").
// The CSV plumbing is the trace readers' (suanli/common/csv_util.hpp), so this list is
// split, unquoted and checked the same way as the sibling pod list.
#include "suanli/platform/alibaba_nodes_platform.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "platform_checks.hpp"
#include "suanli/common/csv_util.hpp"
#include "suanli/common/input_error.hpp"

namespace suanli::platform {

namespace {

enum Column : int { kSn, kCpuMilli, kMemoryMib, kGpu, kModel, kColumnCount };

constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"sn", "cpu_milli",
                                                                     "memory_mib", "gpu", "model"};

constexpr const char* kSiteName = "alibaba";

class NodeListReader {
 public:
  explicit NodeListReader(std::string source) : source_(std::move(source)) {}

  Platform read(std::string data);

 private:
  [[noreturn]] void fail(int line, Column column, const std::string& what) const {
    throw InputError(located(source_, line, std::string(kColumnNames[column]), what));
  }

  void read_header(std::span<char> text, int line);
  void read_row(std::span<char> text, int line);
  std::string_view field(Column c) const {
    const int i = index_[c];
    return i < 0 ? std::string_view() : fields_[static_cast<std::size_t>(i)];
  }
  // A node's cpu_milli or memory_mib: a number >= 0 when the column is there (rounded to a
  // whole number, as pandas may write "32000.0"); 0, "not modelled", when it is not.
  int amount(Column c, int line) const;

  std::string source_;
  std::string data_;  // the file; fields_ and names_ point into it
  const DeviceCatalog catalog_ = DeviceCatalog::builtin();
  int header_line_ = 0;
  std::vector<std::string> header_names_;
  std::vector<std::string> ignored_;
  std::array<int, kColumnCount> index_{};
  std::vector<std::string_view> fields_;
  std::optional<FirstSeen> names_;
  // Nodes per kind of node: one cluster each, in this order.
  struct Kind {
    std::string model;  // the catalog's name
    int gpus = 0;
    int cpu_milli = 0;
    int memory_mib = 0;
    auto operator<=>(const Kind&) const = default;
  };
  std::map<Kind, int> nodes_;
  int gpus_ = 0;
  int gpu_nodes_ = 0;
  int cpu_only_ = 0;
};

Platform NodeListReader::read(std::string data) {
  data_ = std::move(data);
  names_.emplace(static_cast<std::size_t>(std::count(data_.begin(), data_.end(), '\n')) + 1);
  for_each_line(data_,
                [this](std::span<char> text, int line) {
                  if (header_line_ == 0) {
                    read_header(text, line);
                  } else {
                    read_row(text, line);
                  }
                },
                {.skip_comments = true, .cr_is_blank = true});
  if (header_line_ == 0) {
    throw InputError(located(source_, 0, "",
                             "no header line (the file is empty); expected "
                             "'sn,cpu_milli,memory_mib,gpu,model'"));
  }
  if (nodes_.empty()) {
    fail(0, kGpu,
         fmt::format("no node has a GPU ({} CPU-only nodes); a platform needs at least one",
                     cpu_only_));
  }
  if (!ignored_.empty()) {
    spdlog::warn("{}: ignoring unknown columns: {}", source_, fmt::join(ignored_, ", "));
  }

  Platform p;
  p.name = std::filesystem::path(source_).stem().string();
  p.source = source_;
  p.devices = catalog_;
  p.sites.emplace_back().name = kSiteName;
  // Kinds sharing a model and GPU count differ by CPUs or memory: their names say so.
  std::map<std::pair<std::string, int>, int> same_gpus;
  for (const auto& [kind, nodes] : nodes_) ++same_gpus[{kind.model, kind.gpus}];
  for (const auto& [kind, nodes] : nodes_) {
    const auto& [model, gpus, cpu_milli, memory_mib] = kind;
    Cluster c;
    c.name = fmt::format("{}x{}", model, gpus);
    if (same_gpus[{model, gpus}] > 1)
      c.name += fmt::format("-{:g}c{:g}g", cpu_milli / 1000.0, memory_mib / 1024.0);
    c.site = 0;
    c.nodes = nodes;
    c.node.gpu_model = model;
    c.node.gpus = gpus;
    c.node.cpu_milli = cpu_milli;
    c.node.memory_mib = memory_mib;
    c.node.intra = catalog_.find(model)->intra;
    c.node.nic = LinkSpec{kAlibabaNodeNicBps / gpus, kAlibabaNodeNicLatencyS};
    p.sites[0].clusters.push_back(static_cast<int>(p.clusters.size()));
    p.clusters.push_back(std::move(c));
  }
  number_clusters(p);  // cannot overflow: the GPU total was checked row by row
  check_topology(p);

  spdlog::info("{}: read as an Alibaba node list: {} GPU nodes, {} GPUs, {} clusters{}", source_,
               gpu_nodes_, gpus_, p.clusters.size(),
               cpu_only_ > 0 ? fmt::format("; {} CPU-only nodes skipped", cpu_only_) : "");
  return p;
}

void NodeListReader::read_header(std::span<char> text, int line) {
  header_line_ = line;
  read_csv_header(source_, line, text, kColumnNames, index_, fields_, header_names_, ignored_);
  for (Column c : {kSn, kGpu, kModel}) {
    if (index_[c] < 0) {
      fail(line, c,
           "required column missing from the header (expected the node list header "
           "'sn,cpu_milli,memory_mib,gpu,model')");
    }
  }
}

int NodeListReader::amount(Column c, int line) const {
  if (index_[c] < 0) return 0;
  const std::string_view text = field(c);
  if (text.empty()) fail(line, c, "missing value");
  double value = 0;
  if (!parse_double(text, value)) {
    fail(line, c, quote_for_message(text) + " is not a number");
  }
  if (value < 0) fail(line, c, "must be >= 0, got " + quote_for_message(text));
  if (value > 1e9) fail(line, c, "is out of range, got " + quote_for_message(text));
  return static_cast<int>(std::lround(value));
}

void NodeListReader::read_row(std::span<char> text, int line) {
  read_csv_row(source_, line, text, fields_, header_names_, header_line_);

  const std::string_view sn = field(kSn);
  if (sn.empty()) fail(line, kSn, "missing value");
  if (const int first = names_->insert(sn, line)) {
    fail(line, kSn,
         "duplicate node name " + quote_for_message(sn) + " (first on line " +
             std::to_string(first) + ")");
  }
  const int cpu_milli = amount(kCpuMilli, line);
  const int memory_mib = amount(kMemoryMib, line);
  const int gpus = read_gpu_count(source_, line, kColumnNames[kGpu], field(kGpu));
  if (gpus == 0) {
    ++cpu_only_;  // whatever its model says
    return;
  }

  // pandas writes a missing model as an empty field, the upstream README shows it as "nan".
  const std::string_view model = field(kModel);
  if (model.empty() || model == "nan" || model == "NaN" || model == "NAN") {
    fail(line, kModel,
         fmt::format("missing value (a node with {} GPUs needs its GPU model)", gpus));
  }
  const DeviceSpec* device = catalog_.find(model);
  if (!device) {
    fail(line, kModel,
         fmt::format("unknown GPU model {} (known: {})", quote_for_message(model),
                     fmt::join(catalog_.names(), ", ")));
  }
  if (gpus > kMaxPlatformGpus - gpus_) {
    fail(line, kGpu, fmt::format("too many GPUs in all (at most {})", kMaxPlatformGpus));
  }
  gpus_ += gpus;
  ++gpu_nodes_;
  ++nodes_[{device->name, gpus, cpu_milli, memory_mib}];
}

}  // namespace

Platform load_alibaba_nodes(const std::string& path) {
  return NodeListReader(path).read(read_whole_file(path));
}

Platform parse_alibaba_nodes(const std::string& text, const std::string& source) {
  return NodeListReader(source).read(text);
}

bool looks_like_alibaba_nodes(std::string_view first_line) {
  std::string_view line = first_line.substr(0, first_line.find('\n'));
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  bool first = true;
  bool sn = false;
  bool gpu = false;
  bool model = false;
  while (true) {
    const std::size_t comma = line.find(',');
    std::string_view name = line.substr(0, comma);
    const std::size_t begin = name.find_first_not_of(" \t\r\"");
    name = begin == std::string_view::npos ? std::string_view() : name.substr(begin);
    name = name.substr(0, name.find_last_not_of(" \t\r\"") + 1);
    sn = sn || (first && name == "sn");
    gpu = gpu || name == "gpu";
    model = model || name == "model";
    first = false;
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return sn && gpu && model;
}

}  // namespace suanli::platform

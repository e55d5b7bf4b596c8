#include "suanli/platform/platform_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "platform_checks.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/common/yaml_field.hpp"
#include "suanli/platform/alibaba_nodes_platform.hpp"
#include "suanli/platform/units.hpp"

namespace suanli::platform {

namespace {

using Allowed = std::initializer_list<std::string_view>;

// 500 -> "500", 0.5 -> "0.5": numbers as a person would write them.
std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

using Field = YamlField;

[[noreturn]] void fail(const std::string& file, int line, const std::string& path,
                       const std::string& what) {
  throw InputError(located(file, line, path, what));
}

template <typename Names>
std::string comma_list(const Names& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += std::string(n);
  }
  return out;
}

// The parsing state: the file name every message starts with.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const Field& f, const std::string& what) const {
    yaml_fail(file_, f, what);
  }

  std::string scalar(const Field& f, std::string_view expected) const {
    return yaml_scalar(file_, f, expected);
  }

  std::string name(const Field& f) const {
    std::string n = scalar(f, "a name");
    if (n.empty()) fail(f, "expected a name, got an empty string");
    return n;
  }

  // Site and cluster names become parts of SimGrid host and link names.
  std::string identifier(const Field& f) const {
    std::string n = name(f);
    const bool ok = std::all_of(n.begin(), n.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    });
    if (!ok)
      fail(f, "name '" + n +
                  "' may contain only letters, digits, '-', '_' and '.' (it becomes part of "
                  "SimGrid host and link names)");
    return n;
  }

  double number(const Field& f) const {
    const std::string s = scalar(f, "a number");
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value))
      fail(f, "expected a number, got '" + s + "'");
    return value;
  }

  double at_least(const Field& f, double min) const {
    const double v = number(f);
    if (v < min) fail(f, "must be at least " + number_text(min) + ", got " + f.node.Scalar());
    return v;
  }

  double positive(const Field& f) const {
    const double v = number(f);
    if (v <= 0) fail(f, "must be positive, got " + f.node.Scalar());
    return v;
  }

  // Keeps values in the range the simulation can run with: outside it SimGrid's solver loses
  // precision or aborts ("The Impossible Did Happen") instead of reporting an error.
  double in_range(const Field& f, double lo, double hi) const {
    const double v = number(f);
    if (v < lo || v > hi)
      fail(f, "must be between " + number_text(lo) + " and " + number_text(hi) + ", got " +
                  f.node.Scalar());
    return v;
  }

  // A count: a whole number >= 1.
  int count(const Field& f) const {
    const std::string s = scalar(f, "a whole number");
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      fail(f, "expected a whole number, got '" + s + "'");
    if (value < 1) fail(f, "must be at least 1, got " + s);
    if (value > std::numeric_limits<int>::max() / 1024) fail(f, "too large: " + s);
    return static_cast<int>(value);
  }

  double bandwidth(const Field& f) const {
    const double v = with_unit(f, parse_bandwidth, "a bandwidth such as 200Gbps");
    if (v <= 0) fail(f, "bandwidth must be positive, got " + f.node.Scalar());
    // 1 B/s .. 10 PB/s: outside it SimGrid's max-min solver is not exact any more.
    if (v < 1 || v > 1e16)
      fail(f, "bandwidth must be between 1 Bps and 10PBps, got " + f.node.Scalar());
    return v;
  }

  double duration(const Field& f) const {
    const double v = with_unit(f, parse_duration, "a duration such as 2us");
    if (v > 1000) fail(f, "a latency must be at most 1000 s, got " + f.node.Scalar());
    return v;
  }

  // Watts as a bare number, or a string with a unit ("1.5kW").
  double power(const Field& f) const {
    const std::string s = scalar(f, "a power such as 400 or 1.5kW");
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (!s.empty() && ec == std::errc() && end == s.data() + s.size()) {
      if (!std::isfinite(value) || value < 0) fail(f, "power must be >= 0 W, got " + s);
      return value;
    }
    return with_unit(f, parse_power, "a power such as 400 or 1.5kW");
  }

  std::vector<Field> list(const Field& f, std::string_view expected) const {
    if (!f.node.IsSequence())
      fail(f, "expected a list of " + std::string(expected) + ", got " + yaml_shown(f.node));
    std::vector<Field> items;
    for (size_t i = 0; i < f.node.size(); ++i) {
      const YAML::Node item = f.node[i];
      items.push_back(Field{item, f.path + "[" + std::to_string(i) + "]", yaml_line(item, f.line)});
    }
    return items;
  }

 private:
  template <typename Parse>
  double with_unit(const Field& f, Parse parse, std::string_view expected) const {
    const std::string s = scalar(f, expected);
    try {
      return parse(s);
    } catch (const std::invalid_argument& e) {
      fail(f, e.what());
    }
  }

  std::string file_;
};

// A YAML map whose keys were checked against the allowed set (common/yaml_field.hpp): a
// typo is an error, never a silently ignored key that leaves a default in place.
class Map : public YamlMap {
 public:
  Map(const Reader& r, const Field& self, Allowed allowed) : YamlMap(r.file(), self, allowed) {}
};

// {bandwidth, latency}; each key may be left out when `base` already supplies it.
LinkSpec read_link(const Reader& r, const Field& f, LinkSpec base, bool require_all) {
  const Map m(r, f, {"bandwidth", "latency"});
  const auto bw = require_all ? m.require("bandwidth") : m.get("bandwidth").value_or(Field{});
  const auto lat = require_all ? m.require("latency") : m.get("latency").value_or(Field{});
  if (bw.node.IsDefined()) base.bandwidth_Bps = r.bandwidth(bw);
  if (lat.node.IsDefined()) base.latency_s = r.duration(lat);
  return base;
}

// ---- devices ----------------------------------------------------------------------------

// power_curve: [[share, watts], ...], shares rising from 0 to 1, watts between idle and TDP and
// not falling (more compute never draws less).
std::vector<PowerPoint> read_power_curve(const Reader& r, const Field& f, const DeviceSpec& d) {
  std::vector<PowerPoint> curve;
  for (const Field& item : r.list(f, "[compute share, watts] pairs")) {
    const auto pair = r.list(item, "two numbers: [compute share, watts]");
    if (pair.size() != 2) r.fail(item, "expected two numbers: [compute share, watts]");
    const PowerPoint point{r.in_range(pair[0], 0, 1), r.power(pair[1])};
    if (!curve.empty() && point.share <= curve.back().share)
      r.fail(pair[0], "compute shares must rise from one point to the next");
    if (!curve.empty() && point.watts < curve.back().watts)
      r.fail(pair[1], "power must not fall as the compute share rises");
    if (point.watts < d.idle_w || point.watts > d.tdp_w)
      r.fail(pair[1], "must be between idle_w (" + number_text(d.idle_w) + " W) and tdp_w (" +
                          number_text(d.tdp_w) + " W), got " + pair[1].node.Scalar());
    curve.push_back(point);
  }
  if (curve.size() < 2 || curve.front().share != 0 || curve.back().share != 1)
    r.fail(f, "needs at least two points, the first at compute share 0 and the last at 1");
  return curve;
}

// clock_states: [{clock, power}, ...], fastest first from {clock: 1, power: 1}, both falling.
std::vector<ClockState> read_clock_states(const Reader& r, const Field& f) {
  std::vector<ClockState> states;
  for (const Field& item : r.list(f, "{clock, power} states")) {
    const Map m(r, item, {"clock", "power"});
    const Field clock = m.require("clock");
    const Field power = m.require("power");
    const ClockState state{r.in_range(clock, 0.05, 1), r.in_range(power, 0.01, 1)};
    if (states.empty() && (state.clock != 1 || state.power != 1))
      r.fail(item, "the first state is the highest clock: {clock: 1, power: 1}");
    if (!states.empty() && state.clock >= states.back().clock)
      r.fail(clock, "clocks must fall from one state to the next");
    if (!states.empty() && state.power > states.back().power)
      r.fail(power, "power must not rise as the clock falls");
    states.push_back(state);
  }
  if (states.empty()) r.fail(f, "expected at least the state {clock: 1, power: 1}");
  return states;
}

void read_device(const Reader& r, const Field& f, DeviceCatalog& catalog) {
  const Map m(r, f,
              {"name", "kind", "tflops", "tflops_fp16", "tflops_fp32", "hbm_gb", "hbm_tbps",
               "tdp_w", "idle_w", "intra", "compute_efficiency", "memory_efficiency", "power_curve",
               "clock_states", "min_power_cap_w", "power_source", "source"});
  const Field name_field = m.require("name");
  const std::string name = r.name(name_field);
  const DeviceSpec* existing = catalog.find(name);
  if (!existing) {
    for (std::string_view key : {"tflops", "tdp_w", "idle_w"})
      m.require(key, " (device '" + name + "' is not in the catalog (" +
                         comma_list(catalog.names()) +
                         "), so it needs at least tflops, tdp_w and idle_w)");
  }
  DeviceSpec d = existing ? *existing : DeviceSpec{};
  if (!existing) d.name = name;

  std::vector<std::string> changed;
  const auto given = [&](std::string_view key) {
    auto field = m.get(key);
    if (field) changed.emplace_back(key);
    return field;
  };
  if (auto k = given("kind")) {
    d.kind = r.name(*k);
    if (d.kind != "gpu" && d.kind != "cpu")
      r.fail(*k, "unknown device kind '" + d.kind + "' (expected gpu or cpu)");
  }
  // 0.001 to 1e6 TFLOPS (1 GFLOPS to an exaflop per device): the speeds SimGrid can run
  // without its work-amount precision (1e-5 FLOP) swallowing or overflowing a job.
  if (auto t = given("tflops")) d.tflops_bf16 = d.tflops_fp16 = r.in_range(*t, 1e-3, 1e6);
  if (auto t = given("tflops_fp16")) d.tflops_fp16 = r.in_range(*t, 1e-3, 1e6);
  if (auto t = given("tflops_fp32")) d.tflops_fp32 = r.at_least(*t, 0);
  if (auto h = given("hbm_gb")) d.hbm_gb = r.at_least(*h, 0);
  if (auto h = given("hbm_tbps")) d.hbm_tbps = r.at_least(*h, 0);
  const double old_idle_w = d.idle_w;
  const double old_tdp_w = d.tdp_w;
  if (auto p = given("tdp_w")) d.tdp_w = r.power(*p);
  if (auto p = given("idle_w")) d.idle_w = r.power(*p);
  if (auto l = given("intra")) d.intra = read_link(r, *l, d.intra, false);
  // Achieved / peak shares for the LLM roofline; 0.001 keeps a typo such as 0 from stalling it.
  if (auto e = given("compute_efficiency")) d.compute_efficiency = r.in_range(*e, 1e-3, 1);
  if (auto e = given("memory_efficiency")) d.memory_efficiency = r.in_range(*e, 1e-3, 1);
  if (d.tdp_w <= 0) r.fail(m.get("tdp_w").value_or(m.self()), "tdp_w must be positive");
  if (d.idle_w > d.tdp_w)
    r.fail(
        m.get("idle_w").value_or(m.self()),
        "idle_w (" + number_text(d.idle_w) + " W) exceeds tdp_w (" + number_text(d.tdp_w) + " W)");
  if (auto c = given("power_curve")) {
    d.power_curve = read_power_curve(r, *c, d);
  } else if (!d.power_curve.empty() && (d.idle_w != old_idle_w || d.tdp_w != old_tdp_w)) {
    // New idle or TDP, same shape: each point keeps its place between idle and TDP.
    for (auto& point : d.power_curve)
      point.watts =
          d.idle_w + (point.watts - old_idle_w) / (old_tdp_w - old_idle_w) * (d.tdp_w - d.idle_w);
  }
  if (auto c = given("clock_states")) d.clock_states = read_clock_states(r, *c);
  if (auto p = given("min_power_cap_w")) {
    d.min_power_cap_w = r.power(*p);
    if (d.min_power_cap_w > d.tdp_w) r.fail(*p, "exceeds tdp_w (" + number_text(d.tdp_w) + " W)");
  }
  if (auto p = given("power_source")) d.power_source = r.scalar(*p, "a text");
  if (auto s = m.get("source")) {
    d.source = r.scalar(*s, "a text");
  } else if (existing) {
    d.source += "; overridden in " + r.file() + ": " + comma_list(changed);
  } else {
    d.source = "defined in " + r.file();
  }
  catalog.upsert(std::move(d));
}

DeviceCatalog read_devices(const Reader& r, const std::optional<Field>& f) {
  DeviceCatalog catalog = DeviceCatalog::builtin();
  if (!f) return catalog;
  std::unordered_map<std::string, int> first_line;  // lower-cased name -> line
  for (const Field& item : r.list(*f, "devices")) {
    // Two entries for one device would make the second silently win: refuse.
    if (item.node.IsMap() && item.node["name"] && item.node["name"].IsScalar()) {
      std::string key = item.node["name"].Scalar();
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (const auto it = first_line.find(key); it != first_line.end())
        r.fail(Field{item.node, item.path + ".name", item.line},
               "device '" + item.node["name"].Scalar() + "' is listed twice (first at line " +
                   std::to_string(it->second) + ")");
      first_line.emplace(key, item.line);
    }
    read_device(r, item, catalog);
  }
  return catalog;
}

// ---- clusters ---------------------------------------------------------------------------

FabricSpec read_fabric(const Reader& r, const Field& f) {
  const Map m(r, f, {"type", "nodes_per_leaf", "oversubscription", "switch_w", "switch_ports"});
  FabricSpec fabric;
  const Field type_field = m.require("type");
  const std::string type = r.name(type_field);
  if (type == "fat-tree") {
    fabric.type = FabricType::fat_tree;
    fabric.nodes_per_leaf =
        r.count(m.require("nodes_per_leaf", " (a fat-tree needs the number of nodes per leaf)"));
    if (auto o = m.get("oversubscription")) fabric.oversubscription = r.at_least(*o, 1);
  } else if (type == "star") {
    fabric.type = FabricType::star;
    for (std::string_view key : {"nodes_per_leaf", "oversubscription"})
      if (auto k = m.get(key))
        r.fail(*k, std::string(key) + " applies only to type: fat-tree (this fabric is a star)");
  } else {
    r.fail(type_field, "unknown fabric type '" + type + "' (expected star or fat-tree)");
  }
  if (auto w = m.get("switch_w")) fabric.switch_w = r.power(*w);
  if (auto p = m.get("switch_ports")) fabric.switch_ports = r.count(*p);
  return fabric;
}

// Where a cluster's node block is, for checks made after every cluster is known.
struct NodeOrigin {
  Field node;
  bool has_nic = false;
};

Cluster read_cluster(const Reader& r, const Field& f, const DeviceCatalog& catalog,
                     NodeOrigin& origin) {
  const Map m(r, f, {"name", "nodes", "node", "fabric", "power_cap_w"});
  Cluster c;
  c.name = r.identifier(m.require("name"));
  c.nodes = r.count(m.require("nodes"));

  const Map node(r, m.require("node"),
                 {"gpu", "intra", "nic", "static_w", "cpu_cores", "memory_gib"});
  origin.node = node.self();
  const Map gpu(r, node.require("gpu"), {"model", "count"});
  const Field model = gpu.require("model");
  const DeviceSpec* device = catalog.find(r.name(model));
  if (!device)
    r.fail(model, "unknown device '" + model.node.Scalar() +
                      "' (known: " + comma_list(catalog.names()) + "; add it under devices:)");
  c.node.gpu_model = device->name;  // the catalog's spelling, whatever case the file used
  c.node.gpus = r.count(gpu.require("count"));
  if (static_cast<long long>(c.nodes) * c.node.gpus > std::numeric_limits<int>::max() / 1024)
    r.fail(gpu.require("count"), "cluster has too many GPUs");

  c.node.intra = device->intra;
  if (auto intra = node.get("intra")) c.node.intra = read_link(r, *intra, device->intra, false);
  if (c.node.intra.bandwidth_Bps <= 0)
    r.fail(Field{node.self().node, yaml_join(node.self().path, "intra"), node.self().line},
           "device '" + device->name +
               "' defines no intra-node link: give intra {bandwidth, latency} here or in "
               "its devices entry");

  if (auto nic = node.get("nic")) {
    c.node.nic = read_link(r, *nic, {}, true);
    origin.has_nic = true;
  } else if (c.nodes > 1) {
    node.require("nic", " (required when nodes > 1)");
  }
  if (auto w = node.get("static_w")) c.node.static_w = r.power(*w);
  // Host CPUs and memory, for jobs that ask for them (docs/platform-format.md): kept in the
  // units traces use, thousandths of a core and MiB.
  if (auto cores = node.get("cpu_cores"))
    c.node.cpu_milli = static_cast<int>(std::lround(r.in_range(*cores, 0.001, 1e6) * 1000));
  if (auto gib = node.get("memory_gib"))
    c.node.memory_mib = static_cast<int>(std::lround(r.in_range(*gib, 1.0 / 1024, 1e6) * 1024));
  if (auto fabric = m.get("fabric")) c.fabric = read_fabric(r, *fabric);
  if (auto cap = m.get("power_cap_w")) {
    c.power_cap_w = r.power(*cap);
    if (const auto why = power_cap_problem(*device, c.power_cap_w)) r.fail(*cap, *why);
  }
  return c;
}

// ---- the whole file ---------------------------------------------------------------------

struct Named {
  std::string path;
  int line = 0;
};

// cooling: {type, ...}: fixed needs pue; the others take their type's defaults, any of which
// the entry may override.
Cooling read_cooling(const Reader& r, const Field& f) {
  const Map m(r, f, {"type", "pue", "pue_min", "pue_max", "low_c", "high_c"});
  const Field type_field = m.require("type");
  const std::string type = r.name(type_field);
  Cooling c;
  if (type == "fixed") {
    c = Cooling::of_type(Cooling::Type::fixed);
    c.pue = r.at_least(m.require("pue", " (fixed cooling is a PUE)"), 1.0);
    for (std::string_view key : {"pue_min", "pue_max", "low_c", "high_c"})
      if (auto k = m.get(key))
        r.fail(*k, std::string(key) + " applies only to air, liquid and immersion cooling");
    return c;
  }
  if (type == "air")
    c = Cooling::of_type(Cooling::Type::air);
  else if (type == "liquid")
    c = Cooling::of_type(Cooling::Type::liquid);
  else if (type == "immersion")
    c = Cooling::of_type(Cooling::Type::immersion);
  else
    r.fail(type_field,
           "unknown cooling type '" + type + "' (expected fixed, air, liquid or immersion)");
  if (auto k = m.get("pue")) r.fail(*k, "pue is for fixed cooling; give pue_min and pue_max");
  if (auto k = m.get("pue_min")) c.pue_min = r.at_least(*k, 1.0);
  if (auto k = m.get("pue_max")) c.pue_max = r.at_least(*k, 1.0);
  if (auto k = m.get("low_c")) c.low_c = r.in_range(*k, -80, 80);
  if (auto k = m.get("high_c")) c.high_c = r.in_range(*k, -80, 80);
  if (c.pue_max < c.pue_min) r.fail(m.get("pue_max").value_or(f), "pue_max is below pue_min");
  if (c.high_c <= c.low_c) r.fail(m.get("high_c").value_or(f), "high_c must be above low_c");
  return c;
}

// A number, or a CSV file (relative to the platform file) with columns time_s,<column>.
TimeSeries read_series(const Reader& r, const Field& f, const std::string& column, double lo,
                       double hi) {
  const std::string text = r.scalar(f, "a number or a CSV file");
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) {
    if (!std::isfinite(value) || value < lo || value > hi)
      r.fail(f, "must be between " + number_text(lo) + " and " + number_text(hi) + ", got " + text);
    return TimeSeries::constant(value);
  }
  std::filesystem::path path(text);
  if (path.is_relative()) path = std::filesystem::path(r.file()).parent_path() / path;
  if (!std::filesystem::is_regular_file(path))
    r.fail(f, "neither a number nor a CSV file: '" + text + "' (looked for " + path.string() + ")");
  return TimeSeries::read_csv(path.string(), column, lo, hi);
}

void read_sites(const Reader& r, const Field& f, Platform& p, std::vector<NodeOrigin>& origins) {
  std::unordered_map<std::string, Named> site_names, cluster_names;
  const std::vector<Field> sites = r.list(f, "sites");
  if (sites.empty()) r.fail(f, "expected at least one site");
  for (const Field& sf : sites) {
    const Map sm(r, sf,
                 {"name", "clusters", "cooling", "outdoor_c", "carbon_g_per_kwh", "price_per_kwh"});
    const Field name_field = sm.require("name");
    Site site;
    site.name = r.identifier(name_field);
    if (auto c = sm.get("cooling")) site.cooling = read_cooling(r, *c);
    if (auto t = sm.get("outdoor_c")) site.outdoor_c = read_series(r, *t, "outdoor_c", -80, 80);
    if (site.cooling && site.cooling->type != Cooling::Type::fixed && site.outdoor_c.empty())
      sm.require("outdoor_c", " (" + std::string(cooling_type_name(site.cooling->type)) +
                                  " cooling follows the outdoor temperature: a number of degrees "
                                  "C or a CSV file time_s,outdoor_c)");
    if (auto c = sm.get("carbon_g_per_kwh"))
      site.carbon_g_per_kwh = read_series(r, *c, "carbon_g_per_kwh", 0, 5000);
    if (auto c = sm.get("price_per_kwh"))
      site.price_per_kwh = read_series(r, *c, "price_per_kwh", 0, 1e6);
    if (const auto it = site_names.find(site.name); it != site_names.end())
      r.fail(name_field, "duplicate site name '" + site.name + "' (first defined at " +
                             it->second.path + ", line " + std::to_string(it->second.line) + ")");
    site_names.emplace(site.name, Named{name_field.path, name_field.line});

    const Field clusters = sm.require("clusters", " (a site needs at least one cluster)");
    const std::vector<Field> items = r.list(clusters, "clusters");
    if (items.empty()) r.fail(clusters, "site '" + site.name + "' has no clusters");
    for (const Field& cf : items) {
      NodeOrigin origin;
      Cluster c = read_cluster(r, cf, p.devices, origin);
      const Field cluster_name{cf.node["name"], cf.path + ".name", yaml_line(cf.node["name"], 0)};
      if (const auto it = cluster_names.find(c.name); it != cluster_names.end())
        r.fail(cluster_name, "duplicate cluster name '" + c.name + "' (first defined at " +
                                 it->second.path + ", line " + std::to_string(it->second.line) +
                                 "); cluster names must be unique across sites");
      cluster_names.emplace(c.name, Named{cluster_name.path, cluster_name.line});
      c.site = static_cast<int>(p.sites.size());
      site.clusters.push_back(static_cast<int>(p.clusters.size()));
      p.clusters.push_back(std::move(c));
      origins.push_back(std::move(origin));
    }
    p.sites.push_back(std::move(site));
  }
}

int site_index(const Reader& r, const Platform& p, const Field& f) {
  const std::string name = r.name(f);
  for (size_t i = 0; i < p.sites.size(); ++i)
    if (p.sites[i].name == name) return static_cast<int>(i);
  std::vector<std::string> names;
  for (const Site& s : p.sites) names.push_back(s.name);
  r.fail(f, "unknown site '" + name + "' (sites: " + comma_list(names) + ")");
}

void read_wan(const Reader& r, const Field& f, Platform& p) {
  for (const Field& item : r.list(f, "WAN links")) {
    const Map m(r, item, {"between", "bandwidth", "latency"});
    const Field between = m.require("between");
    const std::vector<Field> ends = r.list(between, "two site names");
    if (ends.size() != 2)
      r.fail(between, "expected exactly two site names, got " + std::to_string(ends.size()));
    WanLink w;
    w.site_a = site_index(r, p, ends[0]);
    w.site_b = site_index(r, p, ends[1]);
    if (w.site_a == w.site_b) r.fail(between, "a WAN link needs two different sites");
    for (const WanLink& other : p.wan) {
      if (std::minmax(other.site_a, other.site_b) == std::minmax(w.site_a, w.site_b))
        r.fail(between, "a second WAN link between '" + p.sites[w.site_a].name + "' and '" +
                            p.sites[w.site_b].name +
                            "': give one link with the combined bandwidth instead");
    }
    w.link = LinkSpec{r.bandwidth(m.require("bandwidth")), r.duration(m.require("latency"))};
    p.wan.push_back(w);
  }
}

// Checks that need every cluster: global indices, NIC presence, the topology.
void finish(const Reader& r, Platform& p, const std::vector<NodeOrigin>& origins) {
  if (const int over = number_clusters(p); over >= 0)
    r.fail(origins[static_cast<size_t>(over)].node, "too many GPUs");
  for (size_t i = 0; i < p.clusters.size(); ++i) {
    if (origins[i].has_nic) continue;
    // A lone one-node cluster talks to nobody; anywhere else it needs a way out.
    if (p.clusters.size() > 1)
      r.fail(
          Field{origins[i].node.node, yaml_join(origins[i].node.path, "nic"), origins[i].node.line},
          "missing required key 'nic' (required when the platform has several clusters)");
    // Its node link is never crossed; give it the intra link so it stays a valid link.
    p.clusters[i].node.nic = p.clusters[i].node.intra;
  }
  check_topology(p);
}

Platform read_platform(const Reader& r, const YAML::Node& root) {
  const Field root_field{root, "", yaml_line(root, 1)};
  if (!root.IsDefined() || root.IsNull())
    fail(r.file(), 0, "", "the platform file is empty (expected a map with name, sites, ...)");
  const Map m(r, root_field, {"name", "pue", "currency", "devices", "sites", "wan"});
  Platform p;
  p.source = r.file();
  if (auto name = m.get("name"))
    p.name = r.name(*name);
  else
    p.name = std::filesystem::path(r.file()).stem().string();
  if (auto pue = m.get("pue")) p.pue = r.at_least(*pue, 1.0);
  if (auto currency = m.get("currency")) p.currency = r.name(*currency);
  p.devices = read_devices(r, m.get("devices"));
  std::vector<NodeOrigin> origins;
  read_sites(r, m.require("sites"), p, origins);
  for (const auto& site : p.sites)
    if (!site.price_per_kwh.empty() && p.currency.empty())
      m.require("currency", " (site '" + site.name + "' gives price_per_kwh: in which currency?)");
  if (auto wan = m.get("wan")) read_wan(r, *wan, p);
  finish(r, p, origins);
  return p;
}

}  // namespace

Platform parse_platform_yaml(const std::string& text, const std::string& source) {
  const Reader reader(source);
  try {
    return read_platform(reader, YAML::Load(text));
  } catch (const YAML::Exception& e) {
    // ParserException for malformed YAML; any other yaml-cpp error still has a mark.
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const bool parse = dynamic_cast<const YAML::ParserException*>(&e) != nullptr;
    throw InputError(located(source, line, "", (parse ? "malformed YAML: " : "") + e.msg));
  }
}

Platform load_platform_yaml(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail(path, 0, "", "is a directory, not a platform file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, 0, "", std::string("cannot open platform file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    fail(path, 0, "", std::string("cannot read platform file: ") + std::strerror(errno));
  return parse_platform_yaml(text.str(), path);
}

namespace {

// The first line of the file that is neither blank nor a '#' comment, looked for in its first
// 64 KiB; "" when there is none or the file cannot be read (the YAML loader then says why).
std::string first_content_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  std::string_view rest = head;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // UTF-8 byte order mark
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') return std::string(line);
  }
  return "";
}

}  // namespace

Platform load_platform_file(const std::string& path) {
  if (looks_like_alibaba_nodes(first_content_line(path))) return load_alibaba_nodes(path);
  return load_platform_yaml(path);
}

std::optional<std::string> power_cap_problem(const DeviceSpec& device, double cap_w) {
  if (!(cap_w > 0) || !std::isfinite(cap_w)) return "a power limit must be positive";
  if (device.clock_states.size() < 2)
    return "device '" + device.name +
           "' has no clock states for a power limit to act on (give clock_states in its "
           "devices entry)";
  if (cap_w < device.min_power_cap_w)
    return number_text(cap_w) + " W is below the lowest limit " + device.name + " accepts (" +
           number_text(device.min_power_cap_w) + " W)";
  // Compute-bound work at the lowest clock of the table: a lower limit could not be kept.
  const double full_w = device.power_curve.empty() ? device.tdp_w : device.power_curve.back().watts;
  const double lowest_w =
      device.idle_w + (full_w - device.idle_w) * device.clock_states.back().power;
  if (cap_w < lowest_w)
    return number_text(cap_w) + " W is below what compute-bound work draws on " + device.name +
           " at the lowest clock of its table (" + number_text(std::ceil(lowest_w)) + " W at " +
           number_text(device.clock_states.back().clock) + " of the highest clock)";
  if (cap_w > device.tdp_w)
    return number_text(cap_w) + " W is above " + device.name + "'s TDP (" +
           number_text(device.tdp_w) + " W)";
  return std::nullopt;
}

void limit_gpu_power(Platform& platform, double cap_w, const std::string& option) {
  for (std::size_t c = 0; c < platform.clusters.size(); ++c) {
    if (const auto why = power_cap_problem(platform.device_of_cluster(int(c)), cap_w))
      throw InputError(option + ": cluster '" + platform.clusters[c].name + "': " + *why);
    platform.clusters[c].power_cap_w = cap_w;
  }
}

}  // namespace suanli::platform

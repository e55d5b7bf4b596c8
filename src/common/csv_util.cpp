#include "suanli/common/csv_util.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <new>
#include <system_error>

#include <sys/mman.h>

#include "suanli/common/input_error.hpp"

namespace suanli {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Unescapes a quoted field in place. `p` points at the opening quote; on success it is
// left just after the closing quote and the unescaped text is returned. The text is
// written over the field from its opening quote on, which never overtakes the reader.
bool unquote(char*& p, char* end, std::string_view& value) {
  char* out = p;
  char* const start = p;
  ++p;
  while (p < end) {
    if (*p == '"') {
      if (p + 1 < end && p[1] == '"') {
        *out++ = '"';
        p += 2;
        continue;
      }
      ++p;
      value = std::string_view(start, static_cast<std::size_t>(out - start));
      return true;
    }
    *out++ = *p++;
  }
  return false;
}

// from_chars takes no leading '+', but people write "+1e9". Strips one '+' and refuses a
// second sign after it ("+-5"), which from_chars would otherwise read as -5.
bool strip_plus(std::string_view& text) {
  if (text.empty() || text.front() != '+') return true;
  text.remove_prefix(1);
  return !text.empty() && text.front() != '+' && text.front() != '-';
}

}  // namespace

bool read_file_head(const std::string& path, std::string& head) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  head.assign(64 * 1024, '\0');
  in.read(head.data(), std::streamsize(head.size()));
  head.resize(std::size_t(in.gcount()));
  return true;
}

std::string read_whole_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw InputError(located(path, 0, "", std::string("cannot open: ") + std::strerror(errno)));
  }
  // Sized once from the file's size when it has one (a regular file), so a large trace is
  // neither copied nor zero-filled twice; pipes and growing files go on in chunks.
  std::error_code size_error;
  const std::uintmax_t known = std::filesystem::file_size(path, size_error);
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::string data;
  std::size_t size = 0;
  std::size_t want = size_error ? kChunk : static_cast<std::size_t>(known) + 1;
  while (true) {
    if (data.size() < size + want) data.resize(size + want);
    const std::size_t got = std::fread(data.data() + size, 1, want, file.get());
    size += got;
    if (got < want) break;  // end of file or error; fread retries short reads itself
    want = std::max(kChunk, size);
  }
  if (std::ferror(file.get())) {
    throw InputError(located(path, 0, "", std::string("cannot read: ") + std::strerror(errno)));
  }
  data.resize(size);
  return data;
}

FileLines::FileLines(const std::string& path, std::size_t chunk_bytes, std::size_t max_line_bytes,
                     std::string_view too_long_note)
    : path_(path),
      file_(std::fopen(path.c_str(), "rb"), &std::fclose),
      capacity_(std::max<std::size_t>(chunk_bytes, 1)),
      max_line_(max_line_bytes),
      too_long_note_(too_long_note) {
  if (!file_) {
    throw InputError(located(path, 0, "", std::string("cannot open: ") + std::strerror(errno)));
  }
  // fread copies straight into buffer_: no second buffer inside the FILE.
  std::setvbuf(file_.get(), nullptr, _IONBF, 0);
  buffer_.reset(new char[capacity_]);
}

bool FileLines::next(std::span<char>& text) {
  if (!started_) {
    started_ = true;
    while (!eof_ && end_ < 3) read_more();
    if (std::string_view(buffer_.get(), end_).starts_with("\xEF\xBB\xBF")) {
      begin_ = scanned_ = 3;  // UTF-8 byte order mark from spreadsheets
    }
  }
  while (true) {
    char* const base = buffer_.get();
    char* stop = nullptr;
    std::size_t next_begin = 0;
    if (scanned_ < end_) {
      if (auto* newline = static_cast<char*>(std::memchr(base + scanned_, '\n', end_ - scanned_))) {
        stop = newline;
        next_begin = static_cast<std::size_t>(newline - base) + 1;
      } else {
        scanned_ = end_;
      }
    }
    if (stop == nullptr && eof_) {
      if (begin_ == end_) return false;
      stop = base + end_;
      next_begin = end_;
    }
    if (stop == nullptr && max_line_ > 0 && end_ - begin_ >= max_line_) {
      throw InputError(located(path_, line_ + 1, "",
                               "line longer than " + std::to_string(max_line_) + " bytes" +
                                   std::string(too_long_note_)));
    }
    if (stop != nullptr) {
      char* const start = base + begin_;
      if (stop > start && stop[-1] == '\r') --stop;
      text = std::span<char>(start, static_cast<std::size_t>(stop - start));
      begin_ = scanned_ = next_begin;
      ++line_;
      return true;
    }
    read_more();
  }
}

// Moves the unfinished line to the front of the buffer (growing it when the line fills it)
// and reads what fits after it.
void FileLines::read_more() {
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    scanned_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {
    std::unique_ptr<char[]> bigger(new char[capacity_ * 2]);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ *= 2;
  }
  const std::size_t got = std::fread(buffer_.get() + end_, 1, capacity_ - end_, file_.get());
  end_ += got;
  if (got == 0) {
    if (std::ferror(file_.get())) {
      throw InputError(located(path_, 0, "", std::string("cannot read: ") + std::strerror(errno)));
    }
    eof_ = true;
  }
}

std::size_t count_file_newlines(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return 0;
  std::setvbuf(file.get(), nullptr, _IONBF, 0);
  std::vector<char> buffer(std::size_t{1} << 17);
  std::size_t lines = 0;
  while (const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), file.get())) {
    const char* p = buffer.data();
    const char* const end = p + got;
    while (
        (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
      ++lines;
      if (++p == end) break;
    }
  }
  return lines;
}

bool split_csv_line(std::span<char> line, std::vector<std::string_view>& fields,
                    CsvSplitError& err) {
  fields.clear();
  char* p = line.data();
  char* const end = p + line.size();
  while (true) {
    while (p < end && is_blank(*p)) ++p;
    if (p < end && *p == '"') {
      std::string_view value;
      if (!unquote(p, end, value)) {
        err = {fields.size(), "unterminated quoted field (quotes must close on the same line)"};
        return false;
      }
      while (p < end && is_blank(*p)) ++p;
      fields.push_back(value);
      if (p == end) return true;
      if (*p != ',') {
        err = {fields.size() - 1, "unexpected text after the closing quote"};
        return false;
      }
      ++p;
      continue;
    }
    char* const start = p;
    // p == end after a trailing comma (the last field is empty); testing it also tells GCC
    // that the length passed to memchr is never negative.
    auto* comma = p < end
                      ? static_cast<char*>(std::memchr(p, ',', static_cast<std::size_t>(end - p)))
                      : nullptr;
    char* stop = comma ? comma : end;
    while (stop > start && is_blank(stop[-1])) --stop;
    fields.emplace_back(start, static_cast<std::size_t>(stop - start));
    if (!comma) return true;
    p = comma + 1;
  }
}

void read_csv_header(const std::string& path, int line, std::span<char> text,
                     std::span<const std::string_view> known, std::span<int> index,
                     std::vector<std::string_view>& fields, std::vector<std::string>& names,
                     std::vector<std::string>& ignored) {
  const auto fail = [&](std::string_view column, const std::string& what) {
    throw InputError(located(path, line, std::string(column), what));
  };
  CsvSplitError err;
  if (!split_csv_line(text, fields, err)) {
    fail("", "header column " + std::to_string(err.field + 1) + ": " + std::string(err.what));
  }
  std::fill(index.begin(), index.end(), -1);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = fields[i];
    if (name.empty()) fail("", "header column " + std::to_string(i + 1) + " has no name");
    if (std::find(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(i), name) !=
        fields.begin() + static_cast<std::ptrdiff_t>(i)) {
      fail(name, "duplicate column in the header");
    }
    const auto at = std::find(known.begin(), known.end(), name);
    if (at == known.end()) {
      ignored.emplace_back(name);
    } else {
      index[static_cast<std::size_t>(at - known.begin())] = static_cast<int>(i);
    }
    names.emplace_back(name);
  }
}

void read_csv_row(const std::string& path, int line, std::span<char> text,
                  std::vector<std::string_view>& fields,
                  const std::vector<std::string>& header_names, int header_line) {
  CsvSplitError err;
  if (!split_csv_line(text, fields, err)) {
    const std::string column =
        err.field < header_names.size() ? header_names[err.field] : std::string();
    throw InputError(located(path, line, column, std::string(err.what)));
  }
  if (fields.size() != header_names.size()) {
    throw InputError(located(path, line, "",
                             "expected " + std::to_string(header_names.size()) +
                                 " fields as in the header (line " + std::to_string(header_line) +
                                 "), found " + std::to_string(fields.size())));
  }
}

bool parse_double(std::string_view text, double& out) {
  if (!strip_plus(text)) return false;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return false;
  }
  out = value;
  return true;
}

bool parse_int(std::string_view text, int& out) {
  if (!strip_plus(text)) return false;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  out = value;
  return true;
}

int read_whole_count(const std::string& path, int line, std::string_view column,
                     std::string_view text, std::string_view unit, std::string_view limit) {
  const auto fail = [&](const std::string& what) {
    throw InputError(located(path, line, std::string(column), what));
  };
  if (text.empty()) fail("missing value");
  int count = 0;
  if (!parse_int(text, count)) {
    double value = 0;
    if (!parse_double(text, value)) fail(quote_for_message(text) + " is not a number");
    if (value != std::floor(value))
      fail(quote_for_message(text) + " is not a whole number" + std::string(unit));
    if (!(std::fabs(value) <= std::numeric_limits<int>::max()))
      fail(quote_for_message(text) + " is out of range" + std::string(limit));
    count = static_cast<int>(value);
  }
  if (count < 0) fail("must be >= 0, got " + quote_for_message(text));
  return count;
}

int read_gpu_count(const std::string& path, int line, std::string_view column,
                   std::string_view text) {
  return read_whole_count(path, line, column, text, " of GPUs", "");
}

namespace {

constexpr unsigned kTagShift = 40;  // the hash bits above the index bits of any real table
constexpr std::size_t kMapFrom = std::size_t{2} << 20;  // bytes: one huge page

// Shorter ids first, then byte by byte: the order of "9" and "10", of "job-9" and "job-10".
bool sorts_before(std::string_view a, std::string_view b) {
  return a.size() < b.size() || (a.size() == b.size() && a < b);
}

// Variable-length integers, 7 bits a byte, low bits first; signed ones zigzagged (0, -1, 1,
// -2, ... as 0, 1, 2, 3, ...), so a small change of either sign takes one byte.
void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

std::uint64_t get_varint(const char*& p) {
  std::uint64_t value = 0;
  for (unsigned shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(*p++);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) return value;
  }
}

std::uint64_t zigzag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

}  // namespace

void detail::FreeIdSlots::operator()(IdSlot* slots) const {
  const std::size_t bytes = count * sizeof(IdSlot);
  if (bytes >= kMapFrom) {
    munmap(slots, bytes);
  } else {
    std::free(slots);
  }
}

FirstSeen::Slots FirstSeen::allocate(std::size_t count) {
  const std::size_t bytes = count * sizeof(Slot);
  void* memory = nullptr;
  if (bytes >= kMapFrom) {
    // Anonymous pages read as zeros (empty slots) and are filled in as they are touched.
    memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    madvise(memory, bytes, MADV_HUGEPAGE);  // a hint: without huge pages it is only slower
  } else {
    memory = std::calloc(count, sizeof(Slot));
    if (memory == nullptr) throw std::bad_alloc();
  }
  return Slots(static_cast<Slot*>(memory), detail::FreeIdSlots{count});
}

std::uint64_t detail::IdArena::append(std::string_view id) {
  const std::uint64_t offset = place(used_, id.size());
  const std::uint64_t end = offset + id.size();
  const std::uint64_t blocks = (end + kBlock - 1) >> kBlockBits;
  if (blocks > blocks_.size()) {
    // place() starts an id that needs new blocks at the first of them.
    const std::uint64_t count = blocks - blocks_.size();
    owned_.emplace_back(new char[count * kBlock]);
    for (std::uint64_t i = 0; i < count; ++i) blocks_.push_back(owned_.back().get() + i * kBlock);
  }
  if (!id.empty())
    std::memcpy(blocks_[offset >> kBlockBits] + (offset & (kBlock - 1)), id.data(), id.size());
  used_ = end;
  return offset;
}

FirstSeen::FirstSeen(std::size_t expected_ids) : expected_(expected_ids) {
  run_.reserve(expected_ids * 3);  // address space only until written
}

int FirstSeen::insert(std::string_view id, int line) {
  if (in_order_) {
    if (run_ids_ == 0 || sorts_before(last_, id)) {
      put_varint(run_, id.size());
      put_varint(run_, zigzag(static_cast<std::int64_t>(line) - last_line_));
      ++run_ids_;
      last_line_ = line;
      last_ = arena_.at(arena_.append(id), id.size());
      return 0;
    }
    start_table();
  }
  if ((used_ + 1) * 4 > (mask_ + 1) * 3) grow();
  const std::size_t hash = std::hash<std::string_view>{}(id);
  Slot& slot = find_slot(id, hash);
  if (slot.line != 0) return slot.line;
  slot.offset = arena_.append(id);
  slot.tag = hash >> kTagShift;
  slot.size = static_cast<std::uint32_t>(id.size());
  slot.line = line;
  ++used_;
  return 0;
}

// The first id out of order: the table takes every id so far. Load factor at most three
// quarters: the hash bits in each slot make a probe past another id a comparison of two
// integers in the same cache line, so the runs of linear probing may be longer than with
// bare keys.
void FirstSeen::start_table() {
  in_order_ = false;
  const std::size_t ids = std::max(expected_, run_ids_ + 1);
  slots_ = allocate(std::bit_ceil(std::max<std::size_t>(16, ids + ids / 3 + 1)));
  mask_ = slots_.get_deleter().count - 1;
  const char* p = run_.data();
  std::uint64_t used = 0;  // the arena as it was filled, id by id
  std::int64_t line = 0;
  for (std::size_t i = 0; i < run_ids_; ++i) {
    Slot slot;
    slot.size = static_cast<std::uint32_t>(get_varint(p));
    line += unzigzag(get_varint(p));
    slot.line = static_cast<int>(line);
    slot.offset = detail::IdArena::place(used, slot.size);
    used = slot.offset + slot.size;
    const std::string_view id = arena_.at(slot.offset, slot.size);
    const std::size_t hash = std::hash<std::string_view>{}(id);
    slot.tag = hash >> kTagShift;
    find_slot(id, hash) = slot;  // an empty one: the ids in order are all different
    ++used_;
  }
  run_.clear();
  run_.shrink_to_fit();
  last_ = {};
}

FirstSeen::Slot& FirstSeen::find_slot(std::string_view id, std::size_t hash) {
  const std::uint64_t tag = hash >> kTagShift;
  for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.line == 0 || (s.tag == tag && s.size == id.size() && arena_.at(s.offset, s.size) == id)) {
      return s;
    }
  }
}

void FirstSeen::grow() {
  const std::size_t old_count = mask_ + 1;
  Slots old = allocate(old_count * 2);
  old.swap(slots_);
  mask_ = old_count * 2 - 1;
  used_ = 0;
  for (std::size_t i = 0; i < old_count; ++i) {
    const Slot& s = old[i];
    if (s.line == 0) continue;
    const std::string_view id = arena_.at(s.offset, s.size);
    find_slot(id, std::hash<std::string_view>{}(id)) = s;
    ++used_;
  }
}

void append_number(std::string& out, double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

std::string format_number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  if (text.size() <= kMax) {
    out += text;
  } else {
    out += text.substr(0, kMax);
    out += "...";
  }
  out += "'";
  return out;
}

}  // namespace suanli

#pragma once
// Small, allocation-free building blocks for reading text and CSV input, whatever it
// describes (job and request traces, node lists, speed tables): the whole-file read, line
// walkers over a string or a file read in chunks, a line splitter that unquotes in place,
// the header and row checks of CSV files, strict number parsing, and a first-occurrence
// index for duplicate ids. Kept apart from any one format so every reader checks input the
// same way; suanli/common/csv_reader.hpp builds a whole-file CSV reader on them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace suanli {

// The whole file in one read; InputError("file: cannot open: ...") when it cannot be opened,
// InputError("file: cannot read: ...") when reading fails.
std::string read_whole_file(const std::string& path);

// The first 64 KiB of a file (all of it when shorter), where format sniffing looks; false
// when the file cannot be opened (the caller says so in its own words).
bool read_file_head(const std::string& path, std::string& head);

// Which lines for_each_line passes over.
struct LineRules {
  bool skip_comments = true;  // lines whose first non-blank character is '#'
  bool cr_is_blank = false;   // '\r' counts as blank (besides space and tab)
};

// True for a line for_each_line passes over: blank, or a comment if the rules say so.
inline bool is_skipped_line(std::span<const char> line, LineRules rules) {
  for (char c : line) {
    if (c == ' ' || c == '\t' || (c == '\r' && rules.cr_is_blank)) continue;
    return rules.skip_comments && c == '#';
  }
  return true;
}

// Calls visit(std::span<char> text, int line) for every line of `data` that `rules` do not
// pass over, in order; `line` counts from 1 and includes skipped lines. A UTF-8 byte order
// mark at the start is skipped, and one '\r' before each '\n' (or at the end) is cut off.
// The spans point into `data`, which the visitor may change in place (split_csv_line does).
template <class F>
void for_each_line(std::string& data, F&& visit, LineRules rules = {}) {
  char* p = data.data();
  char* const end = p + data.size();
  if (data.starts_with("\xEF\xBB\xBF")) p += 3;  // UTF-8 byte order mark from spreadsheets
  int line = 0;
  while (p < end) {
    ++line;
    auto* newline = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    char* stop = newline ? newline : end;
    char* const next = newline ? newline + 1 : end;
    if (stop > p && stop[-1] == '\r') --stop;
    const std::span<char> text(p, static_cast<std::size_t>(stop - p));
    p = next;
    if (is_skipped_line(text, rules)) continue;
    visit(text, line);
  }
}

// The chunk size FileLines reads in by default.
inline constexpr std::size_t kLineChunkBytes = std::size_t{1} << 20;

// Reads a file line by line through one reused buffer of `chunk_bytes`, so that a trace of
// any size is read in memory bounded by the chunk (or by its longest line: a longer line
// grows the buffer to hold it). Lines are cut as for_each_line cuts them: a UTF-8 byte order
// mark at the start of the file is skipped, and one '\r' before each '\n' (or at the end)
// is cut off. No line is passed over here.
class FileLines {
 public:
  // InputError("file: cannot open: ...") when the file cannot be opened. With
  // `max_line_bytes` > 0, a line that long or longer is an InputError("file:line: line
  // longer than N bytes" + too_long_note) instead of growing the buffer.
  explicit FileLines(const std::string& path, std::size_t chunk_bytes = kLineChunkBytes,
                     std::size_t max_line_bytes = 0, std::string_view too_long_note = {});

  // The next line without its terminator, mutable in place; false at the end of the file.
  // The span is valid until the next call. InputError("file: cannot read: ...") on a read
  // error.
  bool next(std::span<char>& text);
  // The number of the line `next` gave last, counting from 1.
  int line() const { return line_; }

 private:
  void read_more();

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;    // start of the first line not yet given
  std::size_t scanned_ = 0;  // bytes before this hold no '\n' after begin_
  std::size_t end_ = 0;      // end of the bytes read
  std::size_t max_line_ = 0;
  std::string_view too_long_note_;
  bool eof_ = false;
  bool started_ = false;
  int line_ = 0;
};

// for_each_line over the file `path`, read through a FileLines in chunks of `chunk_bytes`:
// calls visit(std::span<char> text, int line) for every line that `rules` do not pass over.
// The span is valid only during the call (the visitor may change it in place); anything
// kept from it must be copied. Throws what FileLines throws.
template <class F>
void for_each_file_line(const std::string& path, F&& visit, LineRules rules = {},
                        std::size_t chunk_bytes = kLineChunkBytes) {
  FileLines lines(path, chunk_bytes);
  std::span<char> text;
  while (lines.next(text)) {
    if (is_skipped_line(text, rules)) continue;
    visit(text, lines.line());
  }
}

// The number of '\n' in the regular file `path`, counted through a small buffer: one quick
// pass before a reader reserves its jobs, so that the vector of a few million jobs is never
// moved (which would double the peak memory). 0 for a pipe or on any error (the reader then
// reports it).
std::size_t count_file_newlines(const std::string& path);

// Why a line could not be split: which field (0-based) and what was wrong with it.
struct CsvSplitError {
  std::size_t field = 0;
  std::string_view what;
};

// Splits one line (no line terminator) at commas into `fields`, which is cleared first.
// RFC 4180 quoting: a field may be wrapped in double quotes, "" inside stands for one
// quote. Quoted fields are unescaped in place, which is why the line is mutable; the views
// point into it. Blanks (space, tab) around fields are trimmed; inside quotes they are
// kept. A quoted field must close on the same line. Returns false and fills `err` on an
// unterminated quote or on text between a closing quote and the next comma.
bool split_csv_line(std::span<char> line, std::vector<std::string_view>& fields,
                    CsvSplitError& err);

// Reads the header line `text` (line `line` of `path`) of a CSV trace: splits it into
// `fields`, sets index[k] to the position of the column named known[k] (-1 when absent),
// appends every column name to `names` and those not in `known` to `ignored`. Throws
// InputError on a quoting error, a column without a name or a repeated column.
void read_csv_header(const std::string& path, int line, std::span<char> text,
                     std::span<const std::string_view> known, std::span<int> index,
                     std::vector<std::string_view>& fields, std::vector<std::string>& names,
                     std::vector<std::string>& ignored);

// Splits data row `text` (line `line` of `path`) into `fields` and checks that it has as
// many as the header (`header_names`, read on line `header_line`). Throws InputError
// otherwise, naming the column of a quoting error.
void read_csv_row(const std::string& path, int line, std::span<char> text,
                  std::vector<std::string_view>& fields,
                  const std::vector<std::string>& header_names, int header_line);

// Strict parsing: the whole text must be the number (no trailing "abc", no blanks), a
// leading '+' is allowed, NaN and infinities are rejected. Returns false on failure.
bool parse_double(std::string_view text, double& out);
bool parse_int(std::string_view text, int& out);

// A count `text` of column `column` on line `line` of `path`: a whole number >= 0, written as
// an integer or as a float without a fraction. Throws InputError otherwise; `unit` follows
// "is not a whole number" and `limit` follows "is out of range" in the messages.
int read_whole_count(const std::string& path, int line, std::string_view column,
                     std::string_view text, std::string_view unit, std::string_view limit);

// The GPU count `text` of column `column` on line `line` of `path`: a whole number >= 0,
// written as an integer or as a float without a fraction ("4.0": pandas writes an integer
// column that has a gap in it as floats). Throws InputError otherwise.
int read_gpu_count(const std::string& path, int line, std::string_view column,
                   std::string_view text);

namespace detail {

// One id of a FirstSeen: where its text is in the arena, a few bits of its hash (to skip
// most comparisons with other ids), its size and the line it was first seen on.
struct IdSlot {
  std::uint64_t offset : 40 = 0;
  std::uint64_t tag : 24 = 0;
  std::uint32_t size = 0;
  int line = 0;  // 0 marks an empty slot
};
static_assert(sizeof(IdSlot) == 16);

// The bytes of ids back to back, in 1 MiB blocks that never move, found again by offset.
// Growing never copies (a string doubling its capacity would hold every id twice for a
// moment), and a block takes memory only as it is written.
class IdArena {
 public:
  static constexpr unsigned kBlockBits = 20;
  static constexpr std::uint64_t kBlock = std::uint64_t{1} << kBlockBits;

  // Where an id of `size` bytes goes when `used` bytes are taken: right there, or at the
  // next block when it would cross into it (an id longer than a block gets blocks of its
  // own, one allocation).
  static std::uint64_t place(std::uint64_t used, std::size_t size) {
    const std::uint64_t in_block = used & (kBlock - 1);
    return in_block == 0 || in_block + size <= kBlock ? used : (used | (kBlock - 1)) + 1;
  }
  // Copies `id` in and returns its offset, place(size before, id.size()).
  std::uint64_t append(std::string_view id);
  std::string_view at(std::uint64_t offset, std::size_t size) const {
    if (size == 0) return {};  // an empty id may sit past the last block
    return {blocks_[offset >> kBlockBits] + (offset & (kBlock - 1)), size};
  }

 private:
  std::vector<std::unique_ptr<char[]>> owned_;
  std::vector<char*> blocks_;  // by offset >> kBlockBits
  std::uint64_t used_ = 0;
};

// Frees a slot table (mapped when large, see FirstSeen).
struct FreeIdSlots {
  std::size_t count = 0;
  void operator()(IdSlot* slots) const;
};

}  // namespace detail

// Remembers the first line on which each id was seen. The ids are copied, back to back, into
// an arena, so the caller's text may change or go away after insert.
//
// Published traces mostly number their jobs in order ("1", "2", ..., "job-9", "job-10",
// "openb-pod-0001"): while every id sorts after the one before (shorter first, then byte by
// byte), none can repeat, and an id costs its bytes in the arena and two or three bytes in
// a list of (size, line) pairs, with no lookup. The first id out of order moves that list
// into a hash table (open addressing, linear probing, 16-byte slots at a load factor of at
// most 3/4, sized once for the expected number of ids), which every later id goes through.
// Inserting a million ids costs no allocation per id either way.
class FirstSeen {
 public:
  explicit FirstSeen(std::size_t expected_ids);

  // Returns 0 when `id` is new (and records `line`, which must be >= 1), else the line it
  // was first seen on.
  int insert(std::string_view id, int line);

 private:
  using Slot = detail::IdSlot;
  // A large table is mapped zero-filled on huge pages where the system allows: it is
  // probed at random, one slot per id, so fewer TLB misses make most of its speed.
  using Slots = std::unique_ptr<Slot[], detail::FreeIdSlots>;
  static Slots allocate(std::size_t count);
  void start_table();
  void grow();
  // The slot holding `id`, or the empty slot where it goes.
  Slot& find_slot(std::string_view id, std::size_t hash);

  std::size_t expected_;
  detail::IdArena arena_;  // every id inserted
  // While the ids come in order: per id, its size and the change of line since the id
  // before, as variable-length integers; and the last id.
  std::string run_;
  std::size_t run_ids_ = 0;
  std::string_view last_;
  int last_line_ = 0;
  bool in_order_ = true;
  Slots slots_;           // the hash table, once an id came out of order
  std::size_t mask_ = 0;  // slot count - 1 (a power of two)
  std::size_t used_ = 0;
};

// The shortest text that reads back as the same double ("30", "0.1", "1e+20"): what the
// writers put in files, so a written trace reads back unchanged.
void append_number(std::string& out, double value);
std::string format_number(double value);

// Shortens a field for an error message so one bad cell cannot flood the terminal.
std::string quote_for_message(std::string_view text);

}  // namespace suanli

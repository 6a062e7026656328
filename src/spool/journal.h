#pragma once
// The crash-safe disk spool: an append-only journal of segment files in one directory.
//
// append() writes an event record and fdatasync()s it before returning: once it returned an id,
// the event survives a crash or SIGKILL. remove() appends a removal record for events that were
// delivered (or dropped on purpose). Opening the directory replays every segment in order: the
// events without a removal are the ones still to deliver. A record torn by a crash fails its
// checksum and is skipped with everything after it in that segment (it was never acknowledged).
// After loading, the live events are rewritten into one fresh segment (temp file, fsync, rename,
// fsync of the directory) and the old segments are deleted, so the journal never grows across
// restarts; while running, segments whose events are all removed are deleted, and the journal is
// compacted the same way when dead records dominate it.
//
// A removal record that cannot be written (disk full) stays pending and is written with the next
// record. Deleting a segment needs no space, so segments whose events are all removed are deleted
// all the same: their events are not sent again after a restart. A segment goes only when no
// other segment still holds an event that a removal record in it removes (or that event would
// come back). What a pending removal refers to in a segment that is still there (one that holds
// undelivered events too) is sent again if the process stops before the record is written.
//
// All file I/O goes through a file_system (the real one unless options say otherwise). One
// process owns a directory at a time (a lock on its `lock` file). Thread-safe.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "spool/file_system.h"
#include "spool/record.h"

namespace cwp::spool {

struct stored_event {
  std::uint64_t id{0};
  std::string stream;
  std::int64_t timestamp_ms{0};
  std::string message;
};

struct load_report {
  std::size_t segments{0};       // segment files read
  std::size_t events{0};         // undelivered events found
  std::size_t torn_segments{0};  // segments whose tail was torn (crash during a write)
  std::size_t ignored_bytes{0};  // bytes after a torn or corrupt record, never trusted
  // Records damaged in place (checksum mismatch between whole records): skipped, and the
  // records after them kept. An event among them is lost; one they removed is sent again.
  std::size_t damaged_records{0};
  std::size_t damaged_bytes{0};
};

class journal {
 public:
  struct options {
    std::size_t segment_bytes =
        std::size_t{4} * 1024 * 1024;  // start a new segment beyond this size
    // Where the files are; not owned, must outlive the journal. nullptr: the real file system.
    file_system* files = nullptr;
  };

  // Creates the directory (mode 0700) when missing, locks it, loads and compacts it.
  static core::result<std::unique_ptr<journal>> open(const std::filesystem::path& dir,
                                                     options opts);
  static core::result<std::unique_ptr<journal>> open(const std::filesystem::path& dir) {
    return open(dir, options{});
  }

  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;
  journal(journal&&) = delete;
  journal& operator=(journal&&) = delete;
  ~journal();

  // What the previous processes left undelivered, oldest id first (moved out: call once).
  std::vector<stored_event> take_loaded();
  const load_report& loaded() const { return report_; }

  // Durably appends one event; returns its id. On failure nothing was added (a partial write
  // is cut off again) and the caller keeps the event elsewhere.
  core::result<std::uint64_t> append(std::string_view stream, std::int64_t timestamp_ms,
                                     std::string_view message);
  // Marks events as gone (delivered or dropped), in records of at most
  // max_removal_ids_per_record ids. A failed write is retried with the next append or remove;
  // segments left without events are deleted even then (see the class comment).
  core::result<void> remove(std::span<const std::uint64_t> ids);

  std::size_t live_events() const;
  std::uint64_t live_bytes() const;  // encoded size of the live event records
  std::uint64_t file_bytes() const;  // size of the segment files on disk
  const std::filesystem::path& directory() const { return dir_; }

 private:
  struct segment {
    std::unique_ptr<append_file> file;  // open only for the segment being appended to
    std::uint64_t bytes{0};
    std::size_t live{0};  // event records here whose event is not removed (copies included)
    // Other segments holding events that removal records here remove: while one of them is
    // still there, this segment must stay (deleting it would bring those events back).
    std::set<std::uint64_t> removes_from;
  };
  struct live_event {
    std::uint64_t segment;  // the first segment holding it
    std::uint64_t bytes;
  };
  // An event removed in memory whose removal record is not written yet, for one segment
  // holding it. Moot (dropped) once that segment is deleted.
  struct pending_removal {
    std::uint64_t id;
    std::uint64_t segment;
  };

  journal(std::filesystem::path dir, std::unique_ptr<file_lock> lock, options opts,
          std::unique_ptr<file_system> own_files);
  core::result<void> load();
  // Rewrites the live events into one new segment and deletes the old ones. `live_records` are
  // those events encoded; empty means read them back from the segments.
  core::result<void> compact(std::string live_records = {});
  core::result<std::string> read_live_records() const;
  core::result<void> write_record(const std::string& bytes);  // to the current segment
  core::result<void> flush_pending_removals();
  void collect_garbage();
  bool deletable(const segment& seg) const;
  std::filesystem::path segment_path(std::uint64_t number) const;

  mutable std::mutex mutex_;
  std::filesystem::path dir_;
  std::unique_ptr<file_system> own_files_;  // the real file system, unless options gave one
  file_system* files_;
  std::unique_ptr<file_lock> lock_;
  options opts_;
  load_report report_;
  std::vector<stored_event> loaded_;
  std::map<std::uint64_t, segment> segments_;  // by number, oldest first
  std::map<std::uint64_t, live_event> live_;   // by event id
  // Further segments holding a live event (a crash interrupted a compaction after its rename
  // and the start-up compaction could not write): id -> segment.
  std::multimap<std::uint64_t, std::uint64_t> copies_;
  std::uint64_t current_{0};  // segment appended to; 0 = none yet
  std::uint64_t next_segment_{1};
  std::uint64_t next_id_{1};
  std::uint64_t live_bytes_{0};
  std::uint64_t file_bytes_{0};
  std::vector<pending_removal> pending_removals_;
};

}  // namespace cwp::spool

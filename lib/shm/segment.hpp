// One System V shared memory segment as seen by this process: its id, its
// size, and every mapping this handle made, so detach can refuse foreign or
// repeated addresses and the destructor can leave no unreachable mapping.
#pragma once

#include "common/process_owner.hpp"

#include <svipc/shm.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace svipc {

class ShmSegment {
public:
    static std::unique_ptr<ShmSegment> open(int32_t key, uint64_t size, uint32_t flags, uint32_t mode);
    static std::unique_ptr<ShmSegment> open_id(int32_t shmid);
    static void remove_id(int32_t shmid);
    static svipc_shm_info stat_id(int32_t shmid);

    // Detaches what is still attached through this handle (in its own process).
    ~ShmSegment();
    ShmSegment(const ShmSegment &) = delete;
    ShmSegment &operator=(const ShmSegment &) = delete;

    int32_t id() const { return id_; }
    uint64_t size() const { return size_; }

    void *attach(void *addr, uint32_t flags);
    void *attach_into(void *buffer, uint64_t length, uint32_t flags);
    void detach(void *addr);
    void remove();
    svipc_shm_info stat() const;
    void set_mode(uint32_t mode);
    void set_owner(uint32_t uid, uint32_t gid);

private:
    struct Attachment {
        void *addr;
        uint64_t length;   // mapped bytes: size rounded up to pages
        bool into_buffer;  // attach_into: restore private memory on detach
    };

    ShmSegment(int32_t id, uint64_t size, bool created, uint32_t open_flags);
    void *map(void *addr, int shmflg, bool read_only, uint32_t flags);
    void record(void *addr, bool into_buffer);
    void auto_remove_after_first_attach();
    void release(const Attachment &attachment);
    [[noreturn]] void fail_attach(int saved_errno, void *addr, bool read_only) const;

    int32_t id_;
    uint64_t size_;
    bool created_;
    uint32_t open_flags_;
    bool auto_removed_ = false;
    ProcessOwner owner_;
    mutable std::mutex mutex_;
    std::vector<Attachment> attachments_;
};

} // namespace svipc

// One System V message queue as seen by this process: its id, the pid that
// opened the handle and the last capacity (qbytes) it saw. The queue itself
// lives in the kernel; the handle needs no lock to be shared by threads.
#pragma once

#include "common/process_owner.hpp"

#include <svipc/msg.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace svipc {

class MessageQueue {
public:
    static std::unique_ptr<MessageQueue> open(int32_t key, uint32_t flags, uint32_t mode);
    static std::unique_ptr<MessageQueue> open_id(int32_t msqid);
    static void remove_id(int32_t msqid);
    static svipc_msg_info stat_id(int32_t msqid);

    MessageQueue(const MessageQueue &) = delete;
    MessageQueue &operator=(const MessageQueue &) = delete;

    int32_t id() const { return id_; }

    void send(int64_t type, const void *data, uint64_t size, uint32_t flags, int64_t timeout_ns) const;
    // Returns the payload length; *ret_type (if not NULL) gets the type.
    int64_t receive(int64_t type, void *buf, uint64_t capacity, uint32_t flags, int64_t timeout_ns,
                    int64_t *ret_type) const;
    svipc_msg_info stat() const;
    void set_capacity(uint64_t qbytes);
    void set_mode(uint32_t mode);
    void remove();

private:
    MessageQueue(int32_t id, uint64_t qbytes) : id_(id), known_qbytes_(qbytes) {}
    void check_can_ever_fit(uint64_t size) const;
    [[noreturn]] void fail_send(int err, uint64_t size, int64_t timeout_ns) const;
    [[noreturn]] void fail_receive(int err, int64_t type, uint64_t capacity, uint32_t flags,
                                   int64_t timeout_ns) const;

    int32_t id_;
    // msg_qbytes as last read. A send larger than this re-reads it before
    // waiting, so a message that can never fit fails with E2BIG instead of
    // blocking forever, while sends that fit pay no extra syscall.
    mutable std::atomic<uint64_t> known_qbytes_;
    ProcessOwner owner_;
};

} // namespace svipc

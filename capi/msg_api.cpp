#include <svipc/msg.h>

#include "guard.hpp"
#include "msg/queue.hpp"

using svipc::capi::deref;
using svipc::capi::guard;

struct svipc_msg {
    std::unique_ptr<svipc::MessageQueue> queue;
};

namespace {
svipc::MessageQueue &queue(svipc_msg *msg)
{
    return *deref(msg, "msg handle").queue;
}
} // namespace

extern "C" {

int svipc_msg_open(int32_t key, uint32_t flags, uint32_t mode, svipc_msg **ret_msg)
{
    return guard(__func__, [&] {
        svipc_msg *&out = deref(ret_msg, "ret_msg");
        out = new svipc_msg{svipc::MessageQueue::open(key, flags, mode)};
        return 0;
    });
}

int svipc_msg_open_id(int32_t msqid, svipc_msg **ret_msg)
{
    return guard(__func__, [&] {
        svipc_msg *&out = deref(ret_msg, "ret_msg");
        out = new svipc_msg{svipc::MessageQueue::open_id(msqid)};
        return 0;
    });
}

svipc_msg *svipc_msg_close(svipc_msg *msg)
{
    delete msg; // the kernel queue is untouched
    return nullptr;
}

int svipc_msg_id(const svipc_msg *msg)
{
    return guard(__func__, [&] { return deref(msg, "msg handle").queue->id(); });
}

int svipc_msg_send(svipc_msg *msg, int64_t type, const void *data, uint64_t size, uint32_t flags, int64_t timeout_ns)
{
    return guard(__func__, [&] {
        queue(msg).send(type, data, size, flags, timeout_ns);
        return 0;
    });
}

int64_t svipc_msg_receive(svipc_msg *msg, int64_t type, void *buf, uint64_t capacity, uint32_t flags,
                          int64_t timeout_ns, int64_t *ret_type)
{
    return guard<int64_t>(__func__, [&] {
        // ret_type is optional; a local keeps it untouched on failure.
        int64_t received_type = 0;
        const int64_t length = queue(msg).receive(type, buf, capacity, flags, timeout_ns, &received_type);
        if (ret_type)
            *ret_type = received_type;
        return length;
    });
}

int svipc_msg_send_call(const svipc_msg_call *call, const void *data)
{
    return guard(__func__, [&] {
        const svipc_msg_call &c = deref(call, "call");
        svipc::require(c.reserved == 0, "call->reserved must be 0");
        queue(c.msg).send(c.type, data, c.size, c.flags, c.timeout_ns);
        return 0;
    });
}

int64_t svipc_msg_receive_call(svipc_msg_call *call)
{
    return guard<int64_t>(__func__, [&] {
        svipc_msg_call &c = deref(call, "call");
        svipc::require(c.reserved == 0, "call->reserved must be 0");
        int64_t received_type = 0;
        const int64_t length = queue(c.msg).receive(c.type, c.buf, c.size, c.flags, c.timeout_ns, &received_type);
        c.ret_type = received_type;
        return length;
    });
}

int svipc_msg_stat(svipc_msg *msg, svipc_msg_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_msg_info &out = deref(ret_info, "ret_info");
        out = queue(msg).stat();
        return 0;
    });
}

int svipc_msg_stat_id(int32_t msqid, svipc_msg_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_msg_info &out = deref(ret_info, "ret_info");
        out = svipc::MessageQueue::stat_id(msqid);
        return 0;
    });
}

int svipc_msg_set_capacity(svipc_msg *msg, uint64_t qbytes)
{
    return guard(__func__, [&] {
        queue(msg).set_capacity(qbytes);
        return 0;
    });
}

int svipc_msg_set_mode(svipc_msg *msg, uint32_t mode)
{
    return guard(__func__, [&] {
        queue(msg).set_mode(mode);
        return 0;
    });
}

int svipc_msg_remove(svipc_msg *msg)
{
    return guard(__func__, [&] {
        queue(msg).remove();
        return 0;
    });
}

int svipc_msg_remove_id(int32_t msqid)
{
    return guard(__func__, [&] {
        svipc::MessageQueue::remove_id(msqid);
        return 0;
    });
}

} // extern "C"

// The channel's shared layout (lib/channel/layout.hpp) and the check that
// turns a header read from an untrusted segment into bounds
// (lib/channel/layout_validator.cpp): the arithmetic every process mapping a
// channel must agree on, and every refusal at its edge.
#include "channel/init.hpp"
#include "channel/layout.hpp"
#include "channel/layout_validator.hpp"
#include "common/fnv1a.hpp"

#include "unit_test.hpp"

#include <svipc/channel.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

using namespace svipc::channel_layout;

namespace {

// A header the layout's own formulas would write for this payload and slot count.
Identity identity_for(uint64_t payload_size, uint32_t buffer_num)
{
    Identity identity{};
    identity.init_state = init_ready;
    identity.magic = magic;
    identity.layout_version = layout_version;
    identity.element_type = 7;
    identity.payload_size = payload_size;
    identity.buffer_num = buffer_num;
    identity.writer_lock_semid = 3;
    identity.header_size = header_size;
    identity.slot_stride = slot_stride(payload_size);
    return identity;
}

void assert_refused(const Identity &identity, uint64_t segment, const char *problem)
{
    const LayoutVerdict verdict = validate_channel_layout(identity, segment);
    ck_assert_ptr_nonnull(verdict.problem);
    ck_assert_str_eq(verdict.problem, problem);
}

} // namespace

START_TEST(header_is_four_cache_lines_the_pin_records_and_the_description)
{
    // 4 lines, 64 pin records of 16 bytes, the description's line of sizes
    // and hash, 256 bytes of name and 2048 of schema: 57 lines.
    ck_assert_uint_eq(header_size, 4 * 64 + 64 * 16 + 64 + 256 + 2048);
    ck_assert_uint_eq(header_size % cache_line, 0);
}
END_TEST

START_TEST(round_up_to_line_rounds_to_whole_cache_lines)
{
    ck_assert_uint_eq(round_up_to_line(0), 0);
    ck_assert_uint_eq(round_up_to_line(1), 64);
    ck_assert_uint_eq(round_up_to_line(63), 64);
    ck_assert_uint_eq(round_up_to_line(64), 64);
    ck_assert_uint_eq(round_up_to_line(65), 128);
}
END_TEST

START_TEST(slot_stride_is_one_line_of_slot_header_plus_the_rounded_payload)
{
    ck_assert_uint_eq(slot_stride(1), 128);
    ck_assert_uint_eq(slot_stride(64), 128);
    ck_assert_uint_eq(slot_stride(65), 192);
    ck_assert_uint_eq(slot_stride(4096), 64 + 4096);
    ck_assert_uint_eq(slot_stride(max_payload_size), 64 + (UINT64_C(1) << 40));
}
END_TEST

START_TEST(segment_size_is_header_plus_every_slot)
{
    ck_assert_uint_eq(segment_size(8, 1), 3648 + 128);
    ck_assert_uint_eq(segment_size(8, 4), 3648 + 4 * 128);
    ck_assert_uint_eq(segment_size(100, 3), 3648 + 3 * 192);
    // The largest channel still fits in 64 bits with room to spare.
    ck_assert_uint_eq(segment_size(max_payload_size, SVIPC_CHANNEL_MAX_BUFFERS),
                      3648 + (64 + (UINT64_C(1) << 40)) * UINT64_C(65535));
}
END_TEST

START_TEST(every_payload_starts_on_a_cache_line_inside_its_slot)
{
    const uint64_t payload = 100;
    const uint32_t buffers = 5;
    const uint64_t stride = slot_stride(payload);
    for (uint32_t slot = 0; slot < buffers; slot++) {
        const uint64_t payload_offset = header_size + slot * stride + sizeof(SlotHeader);
        ck_assert_uint_eq(payload_offset % cache_line, 0);
        ck_assert_uint_le(payload_offset + payload, segment_size(payload, buffers));
    }
}
END_TEST

START_TEST(consecutive_sequences_go_to_consecutive_slots)
{
    ck_assert_uint_eq(slot_index(1, 3), 1);
    ck_assert_uint_eq(slot_index(2, 3), 2);
    ck_assert_uint_eq(slot_index(3, 3), 0);
    ck_assert_uint_eq(slot_index(4, 3), 1);
    ck_assert_uint_eq(slot_index(12345, 1), 0);
    ck_assert_uint_eq(slot_index(UINT64_MAX, SVIPC_CHANNEL_MAX_BUFFERS), UINT64_MAX % 65535);
}
END_TEST

START_TEST(writing_version_is_odd_and_between_two_complete_ones)
{
    for (uint64_t sequence = 1; sequence < 5; sequence++) {
        ck_assert_uint_eq(complete_version(sequence) % 2, 0);
        ck_assert_uint_eq(writing_version(sequence) % 2, 1);
        ck_assert_uint_lt(complete_version(sequence - 1), writing_version(sequence));
        ck_assert_uint_lt(writing_version(sequence), complete_version(sequence));
    }
    ck_assert_uint_eq(complete_version(0), 0); // "never written"
}
END_TEST

START_TEST(pin_owner_packs_pid_above_slot)
{
    ck_assert_uint_eq(pin_owner(1234, 5), (UINT64_C(1234) << 32) | 5);
    ck_assert_uint_eq(pin_owner(4194304, pin_no_slot) >> 32, 4194304);
    ck_assert_uint_eq(pin_owner(4194304, pin_no_slot) & 0xffffffffu, pin_no_slot);
    // No slot + 1 can be mistaken for the reclaiming mark.
    ck_assert_uint_gt(pin_reclaiming, uint64_t{SVIPC_CHANNEL_MAX_BUFFERS});
}
END_TEST

START_TEST(snapshot_copies_line_zero_of_the_header)
{
    alignas(Header) unsigned char storage[sizeof(Header)] = {};
    Header *header = new (storage) Header;
    header->init_state.store(init_ready);
    header->magic = magic;
    header->layout_version = layout_version;
    header->element_type = 9;
    header->payload_size = 4096;
    header->buffer_num = 3;
    header->writer_lock_semid = 42;
    header->header_size = header_size;
    header->slot_stride = slot_stride(4096);
    header->created_realtime_ns = -5;
    header->creator_pid = 777;
    header->reserved0 = 0xabcdu;
    const Identity identity = snapshot_identity(*header);
    ck_assert_uint_eq(identity.init_state, init_ready);
    ck_assert_uint_eq(identity.magic, magic);
    ck_assert_uint_eq(identity.layout_version, layout_version);
    ck_assert_uint_eq(identity.element_type, 9);
    ck_assert_uint_eq(identity.payload_size, 4096);
    ck_assert_uint_eq(identity.buffer_num, 3);
    ck_assert_int_eq(identity.writer_lock_semid, 42);
    ck_assert_uint_eq(identity.header_size, header_size);
    ck_assert_uint_eq(identity.slot_stride, slot_stride(4096));
    ck_assert_int_eq(identity.created_realtime_ns, -5);
    ck_assert_int_eq(identity.creator_pid, 777);
    ck_assert_uint_eq(identity.reserved0, 0xabcdu);
    header->~Header();
}
END_TEST

START_TEST(valid_header_gives_its_bounds)
{
    const Identity identity = identity_for(100, 3);
    const uint64_t exact = segment_size(100, 3);
    const LayoutVerdict verdict = validate_channel_layout(identity, exact);
    ck_assert_ptr_null(verdict.problem);
    ck_assert_uint_eq(verdict.bounds.payload_size, 100);
    ck_assert_uint_eq(verdict.bounds.slot_stride, 192);
    ck_assert_uint_eq(verdict.bounds.slots_offset, header_size);
    ck_assert_uint_eq(verdict.bounds.used_size, exact);
    ck_assert_uint_eq(verdict.bounds.buffer_num, 3);
    ck_assert_uint_eq(verdict.bounds.element_type, 7);
    ck_assert_uint_eq(verdict.bounds.layout_version, layout_version);
    ck_assert_int_eq(verdict.bounds.writer_lock_semid, 3);
}
END_TEST

START_TEST(segment_larger_than_needed_is_accepted_and_only_the_need_is_used)
{
    // The kernel rounds segments up to whole pages; the slack is never addressed.
    const LayoutVerdict verdict = validate_channel_layout(identity_for(8, 2), 4096 * 4);
    ck_assert_ptr_null(verdict.problem);
    ck_assert_uint_eq(verdict.bounds.used_size, segment_size(8, 2));
}
END_TEST

START_TEST(segment_one_byte_short_is_refused)
{
    assert_refused(identity_for(100, 3), segment_size(100, 3) - 1, "slots do not fit in the segment");
    assert_refused(identity_for(1, 1), 0, "slots do not fit in the segment");
}
END_TEST

START_TEST(foreign_magic_or_version_is_refused)
{
    Identity identity = identity_for(8, 1);
    identity.magic = 0;
    assert_refused(identity, UINT64_MAX, "no channel magic at offset 0");
    identity = identity_for(8, 1);
    identity.layout_version = layout_version - 1;
    assert_refused(identity, UINT64_MAX, "another channel layout version");
    identity.layout_version = layout_version + 1;
    assert_refused(identity, UINT64_MAX, "another channel layout version");
}
END_TEST

START_TEST(buffer_count_edges)
{
    assert_refused(identity_for(8, 0), UINT64_MAX, "buffer count out of range");
    assert_refused(identity_for(8, SVIPC_CHANNEL_MAX_BUFFERS + 1), UINT64_MAX, "buffer count out of range");
    assert_refused(identity_for(8, UINT32_MAX), UINT64_MAX, "buffer count out of range");
    ck_assert_ptr_null(validate_channel_layout(identity_for(8, 1), segment_size(8, 1)).problem);
    ck_assert_ptr_null(
        validate_channel_layout(identity_for(8, SVIPC_CHANNEL_MAX_BUFFERS), segment_size(8, SVIPC_CHANNEL_MAX_BUFFERS))
            .problem);
}
END_TEST

START_TEST(payload_size_edges)
{
    assert_refused(identity_for(0, 1), UINT64_MAX, "payload size out of range");
    Identity too_big = identity_for(8, 1);
    too_big.payload_size = max_payload_size + 1;
    too_big.slot_stride = slot_stride(max_payload_size + 1);
    assert_refused(too_big, UINT64_MAX, "payload size out of range");
    too_big.payload_size = UINT64_MAX;
    too_big.slot_stride = 64; // what slot_stride(UINT64_MAX) wraps to
    assert_refused(too_big, UINT64_MAX, "payload size out of range");
    ck_assert_ptr_null(validate_channel_layout(identity_for(1, 1), segment_size(1, 1)).problem);
    ck_assert_ptr_null(
        validate_channel_layout(identity_for(max_payload_size, 1), segment_size(max_payload_size, 1)).problem);
}
END_TEST

START_TEST(header_size_or_stride_other_than_the_layouts_is_refused)
{
    Identity identity = identity_for(100, 2);
    identity.header_size = header_size - cache_line;
    assert_refused(identity, UINT64_MAX, "header size is not this layout's");
    identity.header_size = 0;
    assert_refused(identity, UINT64_MAX, "header size is not this layout's");
    identity = identity_for(100, 2);
    identity.slot_stride -= cache_line; // payload would overlap the next slot's header
    assert_refused(identity, UINT64_MAX, "slot stride does not match the payload size");
    identity.slot_stride = UINT64_MAX; // would overflow slot_stride * buffer_num
    assert_refused(identity, UINT64_MAX, "slot stride does not match the payload size");
}
END_TEST

START_TEST(largest_channel_is_checked_without_overflow)
{
    // 65535 slots of 2^40 bytes: about 2^56 bytes, summed exactly.
    const Identity identity = identity_for(max_payload_size, SVIPC_CHANNEL_MAX_BUFFERS);
    const uint64_t exact = segment_size(max_payload_size, SVIPC_CHANNEL_MAX_BUFFERS);
    const LayoutVerdict verdict = validate_channel_layout(identity, UINT64_MAX);
    ck_assert_ptr_null(verdict.problem);
    ck_assert_uint_eq(verdict.bounds.used_size, exact);
    assert_refused(identity, exact - 1, "slots do not fit in the segment");
}
END_TEST

START_TEST(negative_writer_lock_id_is_refused)
{
    Identity identity = identity_for(8, 1);
    identity.writer_lock_semid = -1;
    assert_refused(identity, UINT64_MAX, "negative writer lock id");
    identity.writer_lock_semid = INT32_MIN;
    assert_refused(identity, UINT64_MAX, "negative writer lock id");
    identity.writer_lock_semid = 0;
    ck_assert_ptr_null(validate_channel_layout(identity, UINT64_MAX).problem);
}
END_TEST

// A description as an initialiser writes it.
static Description description_for(const std::string &name, const std::string &schema)
{
    Description description{};
    description.name_length = static_cast<uint32_t>(name.size());
    std::memcpy(description.name, name.data(), name.size());
    description.schema_length = static_cast<uint32_t>(schema.size());
    std::memcpy(description.schema, schema.data(), schema.size());
    description.schema_hash = svipc::fnv1a64(schema);
    return description;
}

static void assert_description_refused(const Description &description, const char *problem)
{
    const char *found = validate_channel_description(description);
    ck_assert_ptr_nonnull(found);
    ck_assert_str_eq(found, problem);
}

START_TEST(fnv1a64_is_the_published_function)
{
    // Test vectors of the FNV reference (http://www.isthe.com/chongo/tech/comp/fnv/).
    ck_assert_uint_eq(svipc::fnv1a64(""), UINT64_C(0xcbf29ce484222325));
    ck_assert_uint_eq(svipc::fnv1a64("a"), UINT64_C(0xaf63dc4c8601ec8c));
    ck_assert_uint_eq(svipc::fnv1a64("foobar"), UINT64_C(0x85944171f73967e8));
}
END_TEST

START_TEST(snapshot_copies_the_description)
{
    alignas(Header) unsigned char storage[sizeof(Header)] = {};
    Header *header = new (storage) Header;
    header->name_length = 3;
    std::memcpy(header->name, "cam", 4);
    header->schema_length = 3;
    std::memcpy(header->schema, "<f8", 4);
    header->schema_hash = 99;
    header->schema[schema_field_size - 1] = 'z';
    const Description description = snapshot_description(*header);
    ck_assert_uint_eq(description.name_length, 3);
    ck_assert_str_eq(description.name, "cam");
    ck_assert_uint_eq(description.schema_length, 3);
    ck_assert_str_eq(description.schema, "<f8");
    ck_assert_uint_eq(description.schema_hash, 99);
    ck_assert_int_eq(description.schema[schema_field_size - 1], 'z');
    header->~Header();
}
END_TEST

START_TEST(valid_descriptions_are_accepted)
{
    ck_assert_ptr_null(validate_channel_description(description_for("", "|V8")));
    ck_assert_ptr_null(validate_channel_description(description_for("robot/pose", "(3,)<f8")));
    ck_assert_ptr_null(validate_channel_description(
        description_for(std::string(SVIPC_CHANNEL_NAME_MAX, 'n'), std::string(SVIPC_CHANNEL_SCHEMA_MAX, '~'))));
    // Names are bytes (UTF-8): only NUL is excluded.
    ck_assert_ptr_null(validate_channel_description(description_for("caf\xc3\xa9\x01", " ")));
}
END_TEST

START_TEST(bad_name_lengths_and_terminators_are_refused)
{
    Description description = description_for("cam", "<f8");
    description.name_length = SVIPC_CHANNEL_NAME_MAX + 1;
    assert_description_refused(description, "name length out of range");
    description.name_length = UINT32_MAX;
    assert_description_refused(description, "name length out of range");
    description.name_length = 2;  // the NUL is at 3
    assert_description_refused(description, "name is not NUL-terminated at its length");
    description.name_length = 4;  // a NUL inside
    assert_description_refused(description, "name is not NUL-terminated at its length");
    description = description_for(std::string(SVIPC_CHANNEL_NAME_MAX, 'n'), "<f8");
    description.name[SVIPC_CHANNEL_NAME_MAX] = 'n';  // no NUL in the whole field
    assert_description_refused(description, "name is not NUL-terminated at its length");
}
END_TEST

START_TEST(bad_schema_lengths_bytes_and_hash_are_refused)
{
    Description description = description_for("cam", "<f8");
    description.schema_length = 0;
    description.schema_hash = svipc::fnv1a64("");
    assert_description_refused(description, "schema is not NUL-terminated at its length");
    description = description_for("cam", "<f8");
    description.schema_length = SVIPC_CHANNEL_SCHEMA_MAX + 1;
    assert_description_refused(description, "schema length out of range");
    description.schema_length = UINT32_MAX;
    assert_description_refused(description, "schema length out of range");
    description.schema_length = 2;
    assert_description_refused(description, "schema is not NUL-terminated at its length");
    description = description_for("cam", std::string(SVIPC_CHANNEL_SCHEMA_MAX, 'f'));
    description.schema[SVIPC_CHANNEL_SCHEMA_MAX] = 'f';
    assert_description_refused(description, "schema is not NUL-terminated at its length");
    assert_description_refused(description_for("cam", "<f8\n"), "schema has a byte outside printable ASCII");
    assert_description_refused(description_for("cam", "\x7f"), "schema has a byte outside printable ASCII");
    assert_description_refused(description_for("cam", "\xc3\xa9"), "schema has a byte outside printable ASCII");
    description = description_for("cam", "<f8");
    description.schema_hash ^= 1;
    assert_description_refused(description, "schema hash does not match its text");
}
END_TEST

START_TEST(schema_text_problem_checks_length_and_bytes)
{
    ck_assert_ptr_null(schema_text_problem("<f8"));
    ck_assert_ptr_null(schema_text_problem(std::string(SVIPC_CHANNEL_SCHEMA_MAX, ' ')));
    ck_assert_str_eq(schema_text_problem(""), "schema length out of range");
    ck_assert_str_eq(schema_text_problem(std::string(SVIPC_CHANNEL_SCHEMA_MAX + 1, 'x')), "schema length out of range");
    ck_assert_str_eq(schema_text_problem(std::string("a\0b", 3)), "schema has a byte outside printable ASCII");
}
END_TEST

START_TEST(channels_without_a_schema_get_their_types)
{
    const auto assert_schema = [](uint32_t type, uint64_t size, const char *expected) {
        const std::string schema = svipc::default_schema(type, size);  // outlives the assertion's pointer
        ck_assert_str_eq(schema.c_str(), expected);
    };
    assert_schema(SVIPC_CHANNEL_TYPE_BOOL, 1, "|b1");
    assert_schema(SVIPC_CHANNEL_TYPE_INT64, 8, "<i8");
    assert_schema(SVIPC_CHANNEL_TYPE_FLOAT64, 8, "<f8");
    assert_schema(SVIPC_CHANNEL_TYPE_BYTES, 24, "|V24");
    assert_schema(SVIPC_CHANNEL_TYPE_USER + 5, 4096, "|V4096");
}
END_TEST

const UnitSuite unit_suite = {"channel_layout", {
    {"arithmetic", header_is_four_cache_lines_the_pin_records_and_the_description},
    {"arithmetic", round_up_to_line_rounds_to_whole_cache_lines},
    {"arithmetic", slot_stride_is_one_line_of_slot_header_plus_the_rounded_payload},
    {"arithmetic", segment_size_is_header_plus_every_slot},
    {"arithmetic", every_payload_starts_on_a_cache_line_inside_its_slot},
    {"arithmetic", consecutive_sequences_go_to_consecutive_slots},
    {"arithmetic", writing_version_is_odd_and_between_two_complete_ones},
    {"arithmetic", pin_owner_packs_pid_above_slot},
    {"validator", snapshot_copies_line_zero_of_the_header},
    {"validator", valid_header_gives_its_bounds},
    {"validator", segment_larger_than_needed_is_accepted_and_only_the_need_is_used},
    {"validator", segment_one_byte_short_is_refused},
    {"validator", foreign_magic_or_version_is_refused},
    {"validator", buffer_count_edges},
    {"validator", payload_size_edges},
    {"validator", header_size_or_stride_other_than_the_layouts_is_refused},
    {"validator", largest_channel_is_checked_without_overflow},
    {"validator", negative_writer_lock_id_is_refused},
    {"description", fnv1a64_is_the_published_function},
    {"description", snapshot_copies_the_description},
    {"description", valid_descriptions_are_accepted},
    {"description", bad_name_lengths_and_terminators_are_refused},
    {"description", bad_schema_lengths_bytes_and_hash_are_refused},
    {"description", schema_text_problem_checks_length_and_bytes},
    {"description", channels_without_a_schema_get_their_types},
}};

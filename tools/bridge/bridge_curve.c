/* svipc bridge — ZeroMQ CURVE: key files, socket setup, and the ZAP
 * allow-list that lets a server accept only known clients. */
#include "bridge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define Z85_KEY_LENGTH 40

/* The first 40-character token of `text` that decodes as a Z85 key. */
static int find_key(const char *text, char *out)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '#') { /* comment to end of line */
            while (*p && *p != '\n')
                p++;
            continue;
        }
        size_t n = strcspn(p, " \t\r\n");
        if (n == Z85_KEY_LENGTH) {
            uint8_t raw[32];
            memcpy(out, p, Z85_KEY_LENGTH);
            out[Z85_KEY_LENGTH] = '\0';
            if (zmq_z85_decode(raw, out))
                return 0;
        }
        p += n;
    }
    return -1;
}

static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = calloc(1, 65536 + 1);
    size_t n = text ? fread(text, 1, 65536, f) : 0;
    (void)n;
    fclose(f);
    return text;
}

int bridge_curve_load_secret(const char *path, struct bridge_config *c)
{
    char *text = read_small_file(path);
    if (!text) {
        fprintf(stderr, "svipc bridge: --curve-secret %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = find_key(text, c->curve_secret);
    free(text);
    if (rc != 0 || zmq_curve_public(c->curve_public, c->curve_secret) != 0) {
        fprintf(stderr, "svipc bridge: --curve-secret %s: no Z85 secret key in it (make one with "
                        "'svipc bridge keygen FILE')\n", path);
        return -1;
    }
    c->curve = 1;
    return 0;
}

int bridge_curve_load_server_key(const char *key_or_path, struct bridge_config *c)
{
    if (find_key(key_or_path, c->curve_server_key) != 0 || strlen(key_or_path) != Z85_KEY_LENGTH) {
        char *text = read_small_file(key_or_path);
        int rc = text ? find_key(text, c->curve_server_key) : -1;
        free(text);
        if (rc != 0) {
            fprintf(stderr, "svipc bridge: --curve-server-key %s: neither a Z85 public key nor a file holding one\n",
                    key_or_path);
            return -1;
        }
    }
    /* A client needs a key pair of its own; an ephemeral one will do unless
     * the server checks client keys (then give --curve-secret too). */
    if (!c->curve_secret[0] && zmq_curve_keypair(c->curve_public, c->curve_secret) != 0) {
        fprintf(stderr, "svipc bridge: zmq_curve_keypair: %s\n", zmq_strerror(zmq_errno()));
        return -1;
    }
    c->curve = 1;
    return 0;
}

int bridge_curve_load_allow(const char *path, struct bridge_config *c)
{
    char *text = read_small_file(path);
    if (!text) {
        fprintf(stderr, "svipc bridge: --curve-allow %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *p = text;
    char key[BRIDGE_KEY_Z85];
    while (*p) {
        size_t line = strcspn(p, "\n");
        char saved = p[line];
        ((char *)p)[line] = '\0';
        if (find_key(p, key) == 0) {
            char(*grown)[BRIDGE_KEY_Z85] = realloc(c->curve_allow, (size_t)(c->curve_allow_count + 1) * sizeof *grown);
            if (!grown)
                break;
            c->curve_allow = grown;
            memcpy(grown[c->curve_allow_count++], key, sizeof key);
        }
        ((char *)p)[line] = saved;
        p += line + (saved != '\0');
    }
    free(text);
    if (c->curve_allow_count == 0) {
        fprintf(stderr, "svipc bridge: --curve-allow %s: no Z85 public keys in it\n", path);
        return -1;
    }
    c->curve = 1;
    return 0;
}

int bridge_keygen(int argc, char **argv)
{
    if (argc != 2)
        return bridge_usage_error("keygen FILE: writes the secret key to FILE (mode 0600) and the public key to "
                                  "FILE.pub");
    char public_key[BRIDGE_KEY_Z85], secret_key[BRIDGE_KEY_Z85];
    if (zmq_curve_keypair(public_key, secret_key) != 0) {
        fprintf(stderr, "svipc bridge: keygen: zmq_curve_keypair: %s (libzmq without CURVE?)\n",
                zmq_strerror(zmq_errno()));
        return 1;
    }
    const char *path = argv[1];
    char pub_path[4096];
    if (snprintf(pub_path, sizeof pub_path, "%s.pub", path) >= (int)sizeof pub_path)
        return bridge_usage_error("keygen: path too long");
    const struct {
        const char *path, *key, *what;
        mode_t mode;
    } files[] = {{path, secret_key, "secret", 0600}, {pub_path, public_key, "public", 0644}};
    for (int i = 0; i < 2; i++) {
        int fd = open(files[i].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, files[i].mode);
        if (fd < 0) {
            fprintf(stderr, "svipc bridge: keygen: %s: %s\n", files[i].path, strerror(errno));
            return 1;
        }
        char line[128];
        int n = snprintf(line, sizeof line, "# svipc bridge CURVE %s key\n%s\n", files[i].what, files[i].key);
        int ok = write(fd, line, (size_t)n) == n;
        ok &= close(fd) == 0;
        if (!ok) {
            fprintf(stderr, "svipc bridge: keygen: writing %s failed\n", files[i].path);
            return 1;
        }
    }
    printf("%s\n", public_key);
    return 0;
}

int bridge_curve_apply(const struct bridge_config *c, void *socket)
{
    if (!c->curve)
        return 0;
    int rc = 0;
    if (c->curve_server_key[0]) {
        rc |= zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, c->curve_server_key, Z85_KEY_LENGTH + 1);
        rc |= zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, c->curve_public, Z85_KEY_LENGTH + 1);
        rc |= zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, c->curve_secret, Z85_KEY_LENGTH + 1);
    } else {
        int one = 1;
        rc |= zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, sizeof one);
        rc |= zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, c->curve_secret, Z85_KEY_LENGTH + 1);
        rc |= zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, "svipc", 5);
    }
    if (rc != 0)
        fprintf(stderr, "svipc bridge: CURVE setup failed: %s\n", zmq_strerror(zmq_errno()));
    return rc ? -1 : 0;
}

void *bridge_zap_start(struct bridge *bridge)
{
    const struct bridge_config *c = &bridge->config;
    if (!c->curve_allow_count)
        return NULL;
    void *zap = zmq_socket(bridge->context, ZMQ_REP);
    int zero = 0;
    if (!zap || zmq_setsockopt(zap, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_bind(zap, "inproc://zeromq.zap.01") != 0) {
        fprintf(stderr, "svipc bridge: ZAP handler: %s\n", zmq_strerror(zmq_errno()));
        if (zap)
            zmq_close(zap);
        return NULL;
    }
    return zap;
}

/* ZAP (RFC 27): request frames version, request id, domain, address,
 * identity, mechanism, credentials...; reply version, request id, status
 * code, status text, user id, metadata. */
void bridge_zap_handle(struct bridge *bridge, void *zap)
{
    const struct bridge_config *c = &bridge->config;
    for (;;) {
        zmq_msg_t frames[8];
        int count = 0, more = 1;
        while (more) {
            zmq_msg_t *m = &frames[count < 8 ? count : 7];
            if (count >= 8)
                zmq_msg_close(m);
            zmq_msg_init(m);
            if (zmq_msg_recv(m, zap, count == 0 ? ZMQ_DONTWAIT : 0) < 0) {
                zmq_msg_close(m);
                return; /* nothing pending */
            }
            more = zmq_msg_more(m);
            if (count < 8)
                count++;
        }
        const char *status = "400", *text = "client key not allowed";
        if (count >= 7 && zmq_msg_size(&frames[5]) == 5 && memcmp(zmq_msg_data(&frames[5]), "CURVE", 5) == 0 &&
            zmq_msg_size(&frames[6]) == 32) {
            char client[BRIDGE_KEY_Z85];
            zmq_z85_encode(client, zmq_msg_data(&frames[6]), 32);
            for (int i = 0; i < c->curve_allow_count; i++)
                if (strcmp(client, c->curve_allow[i]) == 0)
                    status = "200", text = "OK";
            static int refusal_logged; /* the main thread alone answers ZAP */
            if (status[0] != '2' && !refusal_logged++)
                fprintf(stderr, "svipc bridge: refused a CURVE client whose key %s is not in --curve-allow "
                                "(logged once)\n", client);
        }
        const void *reply[6] = {"1.0", NULL, status, text, "", ""};
        size_t sizes[6] = {3, 0, 3, strlen(text), 0, 0};
        if (count >= 2) {
            reply[1] = zmq_msg_data(&frames[1]);
            sizes[1] = zmq_msg_size(&frames[1]);
        }
        for (int i = 0; i < 6; i++)
            zmq_send(zap, reply[i], sizes[i], i < 5 ? ZMQ_SNDMORE : 0);
        for (int i = 0; i < count; i++)
            zmq_msg_close(&frames[i]);
    }
}

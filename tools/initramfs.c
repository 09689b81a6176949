// SPDX-License-Identifier: GPL-2.0
/*
 * The initramfs reader. libarchive reads one archive per open, so the
 * image is walked the way the kernel (init/initramfs.c) and unmkinitramfs
 * walk it: while the next bytes are an uncompressed newc archive, find its
 * TRAILER!!! by the headers' own sizes and hand exactly that range over;
 * skip the NUL padding between archives; whatever follows is the
 * compressed main archive, read to its end.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "initramfs.h"
#include "macro.h"

const struct initramfs_limits initramfs_default_limits = {
	.max_unpacked = 1ULL << 30,
	.max_member = 1U << 20,
	.max_members = 1U << 18,
};

#define NEWC_HEADER 110
#define MAX_LINKS 40

void initramfs_init(struct initramfs *ir, const char *const *keep, const struct initramfs_limits *lim)
{
	memset(ir, 0, sizeof(*ir));
	ir->keep = keep;
	ir->lim = lim ? *lim : initramfs_default_limits;
}

static int fail(struct initramfs *ir, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct initramfs *ir, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ir->error, sizeof(ir->error), fmt, ap);
	va_end(ap);
	/* One line, whatever the archive's names hold. */
	for (char *p = ir->error; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return r;
}

/* The value of an 8-digit hex field, or -1. */
static long long hex8(const unsigned char *p)
{
	long long v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

static bool newc_magic(const unsigned char *p, size_t len)
{
	return len >= 6 && (memcmp(p, "070701", 6) == 0 || memcmp(p, "070702", 6) == 0);
}

/*
 * The length of the uncompressed newc archive at p, up to and including
 * its TRAILER!!! member and padding; -EBADMSG when it is cut short or a
 * header is not newc.
 */
static long long newc_length(const unsigned char *p, size_t len)
{
	size_t off = 0;

	for (;;) {
		long long namesize, filesize;
		size_t next;

		if (len - off < NEWC_HEADER || !newc_magic(p + off, len - off))
			return -EBADMSG;
		filesize = hex8(p + off + 54);
		namesize = hex8(p + off + 94);
		if (filesize < 0 || namesize <= 0)
			return -EBADMSG;
		next = (off + NEWC_HEADER + (size_t)namesize + 3) & ~(size_t)3;
		if (next > len)
			return -EBADMSG;
		if (namesize == 11 && memcmp(p + off + NEWC_HEADER, "TRAILER!!!", 11) == 0)
			return (long long)next;
		next = (next + (size_t)filesize + 3) & ~(size_t)3;
		if (next > len || next <= off)
			return -EBADMSG;
		off = next;
	}
}

/* name without "./", "/" and "." components, into out; -EBADMSG for ".." or an empty result. */
static int normalise(const char *name, char *out, size_t size)
{
	size_t n = 0;

	while (*name) {
		const char *end = strchrnul(name, '/');
		size_t len = (size_t)(end - name);

		if (len == 2 && name[0] == '.' && name[1] == '.')
			return -EBADMSG;
		if (len && !(len == 1 && name[0] == '.')) {
			if (n + len + 2 > size)
				return -ENAMETOOLONG;
			if (n)
				out[n++] = '/';
			memcpy(out + n, name, len);
			n += len;
		}
		name = *end ? end + 1 : end;
	}
	out[n] = '\0';
	return n ? 0 : -ENOENT;
}

static bool kept(const struct initramfs *ir, const char *name)
{
	for (const char *const *k = ir->keep; k && *k; k++)
		if (strncmp(name, *k, strlen(*k)) == 0)
			return true;
	return false;
}

/* Read one archive (compressed or not) from memory into the listing. */
static int read_archive(struct initramfs *ir, const void *buf, size_t len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	uint64_t base = ir->unpacked;
	int r = 0, ar;

	if (!a)
		return fail(ir, -ENOMEM, "out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		r = fail(ir, -EBADMSG, "not a cpio archive: %s", archive_error_string(a));
		goto out;
	}
	while ((ar = archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		struct initramfs_member *m;
		const char *raw = archive_entry_pathname(e);
		char name[4096];
		la_int64_t size = archive_entry_size(e);
		unsigned int type = archive_entry_filetype(e);
		int nr;

		if (archive_filter_count(a) > 1)
			ir->compressed = true;
		ir->unpacked = base + (uint64_t)archive_filter_bytes(a, 0);
		if (size < 0 || ir->unpacked + (uint64_t)size > ir->lim.max_unpacked) {
			r = fail(ir, -EFBIG, "it unpacks to more than %llu MiB (a decompression bomb?)",
				 (unsigned long long)(ir->lim.max_unpacked >> 20));
			goto out;
		}
		if (!raw) {
			r = fail(ir, -EBADMSG, "a member has no name");
			goto out;
		}
		nr = normalise(raw, name, sizeof(name));
		if (nr == -EBADMSG) {
			r = fail(ir, -EBADMSG, "member '%.120s' leaves the archive with '..'", raw);
			goto out;
		}
		if (nr == -ENAMETOOLONG) {
			r = fail(ir, -EBADMSG, "a member's name is longer than %zu bytes", sizeof(name));
			goto out;
		}
		if (nr < 0) {	/* "." itself */
			archive_read_data_skip(a);
			continue;
		}
		if (ir->n >= ir->lim.max_members) {
			r = fail(ir, -EFBIG, "it holds more than %zu members", ir->lim.max_members);
			goto out;
		}
		if (ir->n == ir->cap) {
			size_t cap = ir->cap ? 2 * ir->cap : 256;
			struct initramfs_member *v = realloc(ir->v, sizeof(*v) * cap);

			if (!v) {
				r = fail(ir, -ENOMEM, "out of memory");
				goto out;
			}
			ir->v = v;
			ir->cap = cap;
		}
		m = &ir->v[ir->n];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		m->type = type;
		m->size = (size_t)size;
		m->seq = (unsigned int)ir->n;
		if (!m->name) {
			r = fail(ir, -ENOMEM, "out of memory");
			goto out;
		}
		ir->n++;
		if (type == AE_IFLNK) {
			const char *t = archive_entry_symlink(e);

			m->target = strdup(t ? t : "");
			if (!m->target) {
				r = fail(ir, -ENOMEM, "out of memory");
				goto out;
			}
		}
		if (type == AE_IFREG && kept(ir, name)) {
			la_ssize_t got;

			if ((uint64_t)size > ir->lim.max_member) {
				r = fail(ir, -EFBIG, "member '%.120s' is %lld bytes, more than the %zu a file it judges may have",
					 name, (long long)size, ir->lim.max_member);
				goto out;
			}
			m->data = malloc((size_t)size + 1);
			if (!m->data) {
				r = fail(ir, -ENOMEM, "out of memory");
				goto out;
			}
			got = size ? archive_read_data(a, m->data, (size_t)size) : 0;
			if (got != size) {
				r = fail(ir, -EBADMSG, "member '%.120s' is cut short%s%s", name,
					 got < 0 ? ": " : "", got < 0 ? archive_error_string(a) : "");
				goto out;
			}
			m->data[size] = '\0';
		} else if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = fail(ir, -EBADMSG, "member '%.120s' is cut short: %s", name, archive_error_string(a));
			goto out;
		}
	}
	ir->unpacked = base + (uint64_t)archive_filter_bytes(a, 0);
	if (ar != ARCHIVE_EOF)
		r = fail(ir, -EBADMSG, "%s", archive_error_string(a) ? archive_error_string(a) : "unreadable archive");
	else
		ir->archives++;
out:
	archive_read_free(a);
	return r;
}

int initramfs_read_mem(struct initramfs *ir, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t off = 0;

	while (off < len) {
		long long n;
		int r;

		/* The kernel skips NUL padding between archives. */
		while (off < len && !p[off])
			off++;
		if (off >= len)
			break;
		if (!newc_magic(p + off, len - off))
			return read_archive(ir, p + off, len - off);
		n = newc_length(p + off, len - off);
		if (n < 0)
			return fail(ir, -EBADMSG, "the uncompressed archive at byte %zu is cut short or corrupt", off);
		r = read_archive(ir, p + off, (size_t)n);
		if (r < 0)
			return r;
		off += (size_t)n;
	}
	if (!ir->archives)
		return fail(ir, -EBADMSG, "it is empty");
	return 0;
}

int initramfs_read_fd(struct initramfs *ir, int fd)
{
	struct stat st;
	void *map;
	int r;

	if (fstat(fd, &st) < 0)
		return fail(ir, -errno, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(ir, -EINVAL, "it is not a regular file");
	if (!st.st_size)
		return fail(ir, -EBADMSG, "it is empty");
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return fail(ir, -errno, "%s", strerror(errno));
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	r = initramfs_read_mem(ir, map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	return r;
}

static int by_name_then_seq(const void *a, const void *b)
{
	const struct initramfs_member *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void member_free(struct initramfs_member *m)
{
	free(m->name);
	free(m->target);
	free(m->data);
}

void initramfs_finish(struct initramfs *ir)
{
	size_t w = 0;

	if (!ir->n)
		return;
	qsort(ir->v, ir->n, sizeof(*ir->v), by_name_then_seq);
	for (size_t i = 0; i < ir->n; i++) {
		if (i + 1 < ir->n && streq(ir->v[i].name, ir->v[i + 1].name)) {
			member_free(&ir->v[i]);	/* a later one replaces it */
			continue;
		}
		ir->v[w++] = ir->v[i];
	}
	ir->n = w;
}

void initramfs_free(struct initramfs *ir)
{
	for (size_t i = 0; i < ir->n; i++)
		member_free(&ir->v[i]);
	free(ir->v);
	ir->v = NULL;
	ir->n = ir->cap = 0;
}

static const struct initramfs_member *find(const struct initramfs *ir, const char *name)
{
	size_t lo = 0, hi = ir->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, ir->v[mid].name);

		if (!c)
			return &ir->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct initramfs_member *initramfs_lookup(const struct initramfs *ir, const char *path)
{
	char cur[4096], rest[4096];
	int links = 0;

	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return NULL;
	cur[0] = '\0';
again:
	for (char *p = rest; *p;) {
		char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p), n = strlen(cur);
		const struct initramfs_member *m;
		bool last = !*end || !end[1];

		if (len == 0 || (len == 1 && *p == '.')) {
			p = *end ? end + 1 : end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(cur, '/');

			*(slash ? slash : cur) = '\0';
			p = *end ? end + 1 : end;
			continue;
		}
		if (n + len + 2 > sizeof(cur))
			return NULL;
		if (n)
			cur[n++] = '/';
		memcpy(cur + n, p, len);
		cur[n + len] = '\0';
		m = find(ir, cur);
		/* Archives may leave out a directory's own entry. */
		if (!m && !last) {
			p = end + 1;
			continue;
		}
		if (!m)
			return NULL;
		if (m->type == AE_IFLNK && m->target) {
			char next[4096];
			char *slash;

			if (++links > MAX_LINKS)
				return NULL;
			/* The link's directory, then its target, then what is left of the path. */
			slash = strrchr(cur, '/');
			*(slash ? slash : cur) = '\0';
			if (m->target[0] == '/')
				cur[0] = '\0';
			if (snprintf(next, sizeof(next), "%s/%s", m->target, *end ? end + 1 : "") >=
			    (int)sizeof(next))
				return NULL;
			memcpy(rest, next, sizeof(rest));
			goto again;
		}
		if (last)
			return m;
		if (m->type != AE_IFDIR)
			return NULL;
		p = end + 1;
	}
	return cur[0] ? find(ir, cur) : NULL;
}

bool initramfs_has_module(const struct initramfs *ir, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < ir->n; i++) {
		const char *base = strrchr(ir->v[i].name, '/');
		size_t j;

		base = base ? base + 1 : ir->v[i].name;
		if (ir->v[i].type != AE_IFREG && ir->v[i].type != AE_IFLNK)
			continue;
		/* NAME.ko, NAME.ko.xz, NAME.ko.zst...; module file names may use - or _ */
		for (j = 0; j < len && base[j]; j++) {
			char a = base[j] == '-' ? '_' : base[j], b = name[j] == '-' ? '_' : name[j];

			if (a != b)
				break;
		}
		if (j == len && strncmp(base + len, ".ko", 3) == 0 &&
		    (!base[len + 3] || base[len + 3] == '.'))
			return true;
	}
	return false;
}

bool initramfs_has_prefix(const struct initramfs *ir, const char *prefix)
{
	size_t len = strlen(prefix);

	for (size_t i = 0; i < ir->n; i++)
		if (strncmp(ir->v[i].name, prefix, len) == 0)
			return true;
	return false;
}

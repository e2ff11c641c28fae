#ifndef LINLI_FACE_H
#define LINLI_FACE_H

#include <stddef.h>
#include <stdint.h>

/// Which kernel scans int8 face codes: chosen once from the CPU (AVX-512 VNNI, AVX2, or portable C).
enum linli_face_kernel { LINLI_FACE_SCALAR = 0, LINLI_FACE_AVX2 = 1, LINLI_FACE_VNNI = 2 };

/// The kernel in use.
int linli_face_kernel(void);

/// Forces a kernel (tests compare them); returns the kernel in use, which stays the best available one
/// when the CPU lacks the requested instructions.
int linli_face_use_kernel(int kernel);

/// Scans `count` gallery codes of `dim` bytes (a multiple of 64; each byte the int8 value XOR 0x80, padding
/// 0x80) against the int8 `query` (padding 0) and keeps the
/// `k` rows with the highest `dot(query, row) * inverse_scale[row]`, best first, in `rows` and `scores`.
/// Returns how many were kept (min(k, count)).
size_t linli_face_top_k(
    const int8_t *query, const uint8_t *codes, const float *inverse_scale, size_t count, size_t dim, size_t k,
    int32_t *rows, float *scores);

/// The int8 inner product of a query and a gallery code of `dim` bytes (a multiple of 64), with the kernel
/// in use.
int32_t linli_face_dot(const int8_t *query, const uint8_t *code, size_t dim);

#endif

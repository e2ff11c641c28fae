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

/// Scans `count` int8 codes of `dim` bytes (a multiple of 64, zero-padded) against `query` and keeps the
/// `k` rows with the highest `dot(query, row) * inverse_scale[row]`, best first, in `rows` and `scores`.
/// Returns how many were kept (min(k, count)).
size_t linli_face_top_k(
    const int8_t *query, const int8_t *codes, const float *inverse_scale, size_t count, size_t dim, size_t k,
    int32_t *rows, float *scores);

/// The int8 inner product of two codes of `dim` bytes (a multiple of 64), with the kernel in use.
int32_t linli_face_dot(const int8_t *a, const int8_t *b, size_t dim);

#endif

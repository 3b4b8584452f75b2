/*
 * digits.h -- the benchmark's real training task: a one-hidden-layer
 * fully-connected network on the UCI handwritten digits (bench/data/),
 * trained by minibatch SGD with momentum and weight decay, the matrix
 * products done by BLAS level 3 (cblas_dgemm). Plain C ABI (hptb_*), built
 * into the bench programs and into build/libhpt_bench.so for ctypes.
 *
 * Data split (fixed, independent of any seed): the 1797 images are permuted
 * once with splitmix64 seeded by HPTB_DIGITS_SPLIT_SEED; the first 500 are
 * the training set, the next 1000 the validation set (the tuning
 * objective), the last 297 the held-out test set (reported only for the
 * final configuration). A small training set and a large validation set
 * make configurations differ by far more than a few validation samples.
 * Pixels are scaled to [0, 1].
 *
 * Determinism: a network is fully determined by (seed, hidden, activation)
 * and the sequence of hptb_net_train calls: weights are initialised from the
 * seed, and epoch e shuffles the training set with a generator seeded from
 * (seed, e), so training 3 epochs, saving, loading and training 2 more gives
 * bit for bit the network trained 5 epochs at once. OpenBLAS is set to one
 * thread on load so that the products are reproducible.
 */
#ifndef HPTB_DIGITS_H
#define HPTB_DIGITS_H

#include <stdint.h>

#include "functions.h" /* HPTB_API, HPTB_OK, HPTB_E_INVALID */

#ifdef __cplusplus
extern "C" {
#endif

#define HPTB_DIGITS_SPLIT_SEED 20261128u
#define HPTB_DIGITS_TRAIN 500
#define HPTB_DIGITS_VALID 1000

/* Parts of the split (hptb_net_evaluate, hptb_digits_size). */
#define HPTB_PART_TRAIN 0
#define HPTB_PART_VALID 1
#define HPTB_PART_TEST 2

/* Activations of the hidden layer. */
#define HPTB_ACT_RELU 0
#define HPTB_ACT_TANH 1
#define HPTB_ACT_SIGMOID 2

/* More status codes (HPTB_OK = 0, HPTB_E_INVALID = -1 in functions.h). */
#define HPTB_DIVERGED 2   /* training produced a non-finite loss or weight */
#define HPTB_E_NOMEM (-2)
#define HPTB_E_IO (-3)    /* file missing, unreadable, malformed */

typedef struct hptb_digits hptb_digits; /* the data set, split  */
typedef struct hptb_net hptb_net;       /* weights + momentum   */

/* Load the data from `path` (a .csv, or a .csv.gz read through `gzip -dc`);
 * NULL means $HPT_DIGITS_DATA, else "bench/data/digits.csv.gz" relative to
 * the working directory. @return HPTB_OK, HPTB_E_IO, HPTB_E_NOMEM. */
HPTB_API int32_t hptb_digits_load(const char *path, hptb_digits **out);
HPTB_API void hptb_digits_free(hptb_digits *d);
/* Number of samples in a part; 0 for a bad part or NULL. */
HPTB_API int32_t hptb_digits_size(const hptb_digits *d, int32_t part);

/* Activation index of "relu", "tanh", "sigmoid", or -1; and its name. */
HPTB_API int32_t hptb_activation_find(const char *name);
HPTB_API const char *hptb_activation_name(int32_t act);

/* A new network 64 -> hidden (1..4096) -> 10, Glorot-uniform weights drawn
 * from `seed`, zero biases and momentum, 0 epochs trained. */
HPTB_API int32_t hptb_net_create(int32_t hidden, int32_t activation, uint64_t seed,
                                 hptb_net **out);
HPTB_API void hptb_net_free(hptb_net *n);
/* Epochs trained so far. */
HPTB_API int32_t hptb_net_epochs(const hptb_net *n);
HPTB_API int32_t hptb_net_hidden(const hptb_net *n);
HPTB_API int32_t hptb_net_activation(const hptb_net *n);

/* Train `epochs` more epochs on the training part: minibatches of `batch`
 * (1..500; the last one of an epoch may be smaller), gradient of the mean
 * cross-entropy plus weight_decay/2 * |W|^2 (weights, not biases), heavy-ball
 * momentum v <- momentum v - lr g, w <- w + v.
 * @return HPTB_OK; HPTB_DIVERGED (the network is then unusable);
 * HPTB_E_INVALID (lr <= 0, momentum outside [0, 1), weight_decay < 0, bad
 * batch); HPTB_E_NOMEM. */
HPTB_API int32_t hptb_net_train(hptb_net *n, const hptb_digits *d, double lr,
                                double momentum, double weight_decay, int32_t batch,
                                int32_t epochs);

/* Mean cross-entropy and error rate (fraction misclassified) on a part.
 * Either out may be NULL. @return HPTB_OK, HPTB_E_INVALID, HPTB_E_NOMEM. */
HPTB_API int32_t hptb_net_evaluate(const hptb_net *n, const hptb_digits *d, int32_t part,
                                   double *loss, double *error);

/* Checkpoint: weights, momentum, seed, epochs (native byte order, with a
 * checksum). Load makes a new network. @return HPTB_OK, HPTB_E_IO (also a
 * truncated or corrupt file), HPTB_E_NOMEM. */
HPTB_API int32_t hptb_net_save(const hptb_net *n, const char *path);
HPTB_API int32_t hptb_net_load(const char *path, hptb_net **out);

#ifdef __cplusplus
}
#endif

#endif

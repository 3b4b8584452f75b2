/* netfn.h -- the conditional benchmark "net": a synthetic training run
 * whose optimizer branch decides which parameters matter (bench/cond/
 * README section of bench/README.md). Shared by the C driver and, through
 * libhpt_netfn.so (ctypes), the Optuna side, so both score the same
 * function. */
#ifndef HPT_BENCH_NETFN_H
#define HPT_BENCH_NETFN_H

#if defined(HPTB_BUILDING)
#define NETFN_API __attribute__((visibility("default")))
#else
#define NETFN_API
#endif

/* Parameters, in the space's order (hpt_trial_params order). */
enum {
    NET_OPTIMIZER, /* categorical: sgd, adam, rmsprop                  */
    NET_LR,        /* float [1e-5, 1], log                              */
    NET_MOMENTUM,  /* float [0, 0.99]          | optimizer = sgd        */
    NET_SCHEDULE,  /* categorical: constant, cosine | optimizer = sgd   */
    NET_WARMUP,    /* float [0, 0.3]           | schedule = cosine      */
    NET_BETA1,     /* float [0.5, 0.999]       | optimizer = adam       */
    NET_BETA2,     /* float [0.9, 0.9999], logit | optimizer = adam     */
    NET_RHO,       /* float [0.5, 0.999]       | optimizer = rmsprop    */
    NET_LAYERS,    /* int [1, 4]                                        */
    NET_UNITS3,    /* int [16, 512], log       | layers in [3, 4]       */
    NET_BATCH,     /* int [16, 256], step 16                            */
    NET_DIM
};

/* The optimum: adam, lr 1e-3, beta1 0.9, beta2 0.999, 3 layers, 128 units
 * in the third, batch 64. */
#define NET_OPTIMUM 0.08

/* Loss of configuration x (NET_DIM values, categoricals by index;
 * inactive ones are not read, NaN is fine). */
NETFN_API double netfn_loss(const double *x);

#endif

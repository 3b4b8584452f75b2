/* netfn.c -- the conditional benchmark function (netfn.h).
 *
 * A validation loss shaped like the folklore of the three optimizers:
 * every branch has its own best learning rate, SGD's effective rate is
 * lr / (1 - momentum) (so lr and momentum interact), Adam's beta2 matters
 * in logit units (the distance of 1 - beta2 in decades), a cosine schedule
 * helps SGD a little when its warmup is right. The branches' best losses
 * are 0.08 (adam), 0.085 (sgd + cosine), 0.10 (sgd, constant), 0.11
 * (rmsprop): the runner-up branch is close, so a method that settles in
 * the wrong branch stays a visible 0.005 - 0.03 above the optimum. The
 * architecture adds 0.06 / 0.02 / 0 / 0.01 for 1 - 4 layers and, from 3
 * layers, a log-distance term for the third layer's width; the batch size
 * a small quadratic. Deterministic. */
#include <math.h>

#include "netfn.h"

static double sq(double v) { return v * v; }

static double logit(double p) { return log(p / (1.0 - p)); }

double netfn_loss(const double *x)
{
    double lr = log10(x[NET_LR]), f;
    switch ((int)x[NET_OPTIMIZER]) {
    case 0: { /* sgd */
        double m = x[NET_MOMENTUM];
        f = 0.10 + 0.02 * sq(lr - log10(1.0 - m) - log10(0.5)) + 0.05 * sq(m - 0.9);
        if ((int)x[NET_SCHEDULE] == 1)
            f += -0.015 + 0.5 * sq(x[NET_WARMUP] - 0.1);
        break;
    }
    case 1: /* adam */
        f = 0.08 + 0.02 * sq(lr + 3.0) + 0.2 * sq(x[NET_BETA1] - 0.9) +
            0.002 * sq(logit(x[NET_BETA2]) - logit(0.999));
        break;
    default: /* rmsprop */
        f = 0.11 + 0.02 * sq(lr - log10(3e-4)) + 0.2 * sq(x[NET_RHO] - 0.9);
        break;
    }
    int layers = (int)x[NET_LAYERS];
    static const double depth[4] = {0.06, 0.02, 0.0, 0.01};
    f += depth[layers - 1];
    if (layers >= 3)
        f += 0.005 * sq(log2(x[NET_UNITS3] / 128.0));
    f += 0.02 * sq((x[NET_BATCH] - 64.0) / 192.0);
    return f;
}

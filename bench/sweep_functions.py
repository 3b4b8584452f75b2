#!/usr/bin/python3
"""sweep_functions.py -- bayes on test functions that bench/functions.c does
not have (Goldstein-Price in log form, six-hump camel, Shekel-10,
Michalewicz-5, Griewank-8, Rastrigin-4, Schwefel-4, Powell-8, Dixon-Price-6,
Zakharov-5, Branin embedded in 20-D and Hartmann-3 in 10-D with ignored
coordinates, a steep 6-D quadratic near a corner), and a second set of 17
(FUNCS2, below: rugged, valley, bowl and trend-with-ripples functions), a
third of 3 whose parameters are declared on the wrong scale (FUNCS3), each
on the unit cube and shifted so that its minimum is 0, side by side with
Optuna's TPE (default and multivariate) and libhpt's random search.
Best-so-far regret after --budget evaluations, median, 75th percentile and
worst over the seeds; results accumulate in --out (a rerun skips what is
there).

    HPT_LIBRARY=build/libhpt.so PYTHONPATH=python /usr/bin/python3 \
        bench/sweep_functions.py --seeds 10 [--methods bayes,bayes_warp,tpe,tpe_mv,random] [--funcs a,b]
"""
import argparse, json, math, os, sys, time
import numpy as np
import hpt

def goldstein(x):
    x1, x2 = 4*x[0]-2, 4*x[1]-2
    a = 1+(x1+x2+1)**2*(19-14*x1+3*x1**2-14*x2+6*x1*x2+3*x2**2)
    b = 30+(2*x1-3*x2)**2*(18-32*x1+12*x1**2+48*x2-36*x1*x2+27*x2**2)
    return math.log(a*b) - math.log(3.0)
def camel(x):
    x1, x2 = 6*x[0]-3, 4*x[1]-2
    return (4-2.1*x1**2+x1**4/3)*x1**2 + x1*x2 + (-4+4*x2**2)*x2**2 + 1.0316284535
SH_A = np.array([[4,4,4,4],[1,1,1,1],[8,8,8,8],[6,6,6,6],[3,7,3,7],[2,9,2,9],[5,5,3,3],[8,1,8,1],[6,2,6,2],[7,3.6,7,3.6]],float)
SH_C = np.array([.1,.2,.2,.4,.4,.6,.3,.7,.5,.5])
def shekel(x):
    z = 10*np.asarray(x)
    return float(-np.sum(1.0/(np.sum((z-SH_A)**2,axis=1)+SH_C))) + 10.536283726219
def michalewicz5(x):
    z = math.pi*np.asarray(x); i = np.arange(1,6)
    return float(-np.sum(np.sin(z)*np.sin(i*z**2/math.pi)**20)) + 4.687658
def griewank8(x):
    zz = 1200*np.asarray(x)-600 - 17.0  # optimum moved off the centre
    i = np.arange(1,9)
    return float(np.sum(zz**2)/4000 - np.prod(np.cos(zz/np.sqrt(i))) + 1)
def rastrigin4(x):
    z = 10.24*np.asarray(x)-5.12 - 0.7
    return float(10*4 + np.sum(z**2-10*np.cos(2*math.pi*z)))
def schwefel4(x):
    z = 1000*np.asarray(x)-500
    return float(418.9829*4 - np.sum(z*np.sin(np.sqrt(np.abs(z)))))
def powell8(x):
    z = 9*np.asarray(x)-4 - 0.5; s = 0.0
    for k in range(2):
        a,b,c,d = z[4*k:4*k+4]
        s += (a+10*b)**2 + 5*(c-d)**2 + (b-2*c)**4 + 10*(a-d)**4
    return float(s)
def dixon6(x):
    z = 20*np.asarray(x)-10
    return float((z[0]-1)**2 + sum((i+1)*(2*z[i]**2-z[i-1])**2 for i in range(1,6)))
def zakharov5(x):
    z = 15*np.asarray(x)-5 - 1.0; i = np.arange(1,6)
    s2 = np.sum(0.5*i*z)
    return float(np.sum(z**2)+s2**2+s2**4)
def branin(u, v):
    x1, x2 = 15*u-5, 15*v
    return (x2-5.1/(4*math.pi**2)*x1**2+5/math.pi*x1-6)**2+10*(1-1/(8*math.pi))*math.cos(x1)+10-0.397887357729738
def branin20(x):  # branin on dims 3 and 11 of 20, the rest ignored
    return branin(x[3], x[11])
H3A = np.array([[3,10,30],[.1,10,35],[3,10,30],[.1,10,35]]); H3C=np.array([1,1.2,3,3.2])
H3P = 1e-4*np.array([[3689,1170,2673],[4699,4387,7470],[1091,8732,5547],[381,5743,8828]])
def hart3_10(x):  # hartmann3 on dims 0,4,7 of 10
    z = np.array([x[0],x[4],x[7]])
    return float(-np.sum(H3C*np.exp(-np.sum(H3A*(z-H3P)**2,axis=1)))) + 3.86278214782076
def sumsq_log(x):  # log-scale-like: optimum near a corner, sharp
    z = np.asarray(x)
    return float(np.sum((np.asarray([1,2,4,8,16,32])*(z-0.05))**2))
def levy_int(x):  # 5 ints in 0..20 with a float, mixed
    k = np.round(np.asarray(x[:5])*20); f = x[5]
    return float(np.sum((k-13)**2)/20.0 + (f-0.3)**2*10)

# A second set (issue 18, ninth round), again unlike bench/functions.c:
# rugged 2-D surfaces (Shubert, Drop-wave, Hoelder table), narrow valleys
# (Rosenbrock-2, Beale, Colville, Perm-4), bowls with interactions (Trid-6,
# a weighted ellipsoid in 8-D, a sphere in 12-D), trends with ripples
# (Ackley-2 and -10, Levy-5, Styblinski-Tang-4, Alpine-6), McCormick, and
# Hartmann-6 with its coordinates permuted and reflected. Optima moved off
# the box's centre where they sat on it.
def _sc(x, lo, hi):
    return lo + (hi - lo)*np.asarray(x)
def ackley(x):  # any dimension: ackley2, ackley10
    z = _sc(x, -32.768, 32.768) - 3.1
    return float(-20*np.exp(-0.2*np.sqrt(np.mean(z**2))) - np.exp(np.mean(np.cos(2*np.pi*z))) + 20 + np.e)
def levy5(x):
    w = 1 + (_sc(x, -10, 10) + 1.3 - 1)/4
    return float(np.sin(np.pi*w[0])**2 + np.sum((w[:-1]-1)**2*(1+10*np.sin(np.pi*w[:-1]+1)**2))
                 + (w[-1]-1)**2*(1+np.sin(2*np.pi*w[-1])**2))
def rosen2(x):
    a, b = _sc(x, -2, 2)
    return float(100*(b-a*a)**2 + (1-a)**2)
def styb4(x):
    z = _sc(x, -5, 5)
    return float(0.5*np.sum(z**4-16*z**2+5*z) + 4*39.16616570377142)
def beale(x):
    a, b = _sc(x, -4.5, 4.5)
    return float((1.5-a+a*b)**2 + (2.25-a+a*b*b)**2 + (2.625-a+a*b**3)**2)
def trid6(x):
    z = _sc(x, -36, 36)
    return float(np.sum((z-1)**2) - np.sum(z[1:]*z[:-1]) + 50)
def ellip8(x):
    z = _sc(x, -5, 5) - 1.7
    return float(np.sum(np.arange(1, 9)*z**2))
def colville(x):
    a, b, c, d = _sc(x, -10, 10)
    return float(100*(a*a-b)**2 + (a-1)**2 + (c-1)**2 + 90*(c*c-d)**2
                 + 10.1*((b-1)**2+(d-1)**2) + 19.8*(b-1)*(d-1))
def shubert(x):
    i = np.arange(1, 6)
    return float(np.prod([np.sum(i*np.cos((i+1)*t+i)) for t in _sc(x, -5.12, 5.12)]) + 186.7309088310239)
def dropwave(x):
    a, b = _sc(x, -5.12, 5.12); r2 = a*a + b*b
    return float(1 - (1+np.cos(12*np.sqrt(r2)))/(0.5*r2+2))
def holder(x):
    a, b = _sc(x, -10, 10)
    return float(-abs(np.sin(a)*np.cos(b)*np.exp(abs(1-np.sqrt(a*a+b*b)/np.pi))) + 19.2085025678868)
def mccormick(x):
    a, b = -1.5 + 5.5*x[0], -3 + 7*x[1]
    return float(np.sin(a+b) + (a-b)**2 - 1.5*a + 2.5*b + 1 + 1.913222954981)
H6A = np.array([[10,3,17,3.5,1.7,8],[.05,10,17,.1,8,14],[3,3.5,1.7,10,17,8],[17,8,.05,10,.1,14]])
H6P = 1e-4*np.array([[1312,1696,5569,124,8283,5886],[2329,4135,8307,3736,1004,9991],
                     [2348,1451,3522,2883,3047,6650],[4047,8828,8732,5743,1091,381]])
def hart6rot(x):  # Hartmann-6 on the coordinates permuted and reflected
    z = 1 - np.asarray(x)[[3,0,5,1,4,2]]
    return float(-np.sum(H3C*np.exp(-np.sum(H6A*(z-H6P)**2, axis=1))) + 3.3223680114155147)
def perm4(x):
    z = _sc(x, -4, 4); j = np.arange(1, 5)
    return float(sum(np.sum((j**i+0.5)*((z/j)**i-1))**2 for i in range(1, 5)))
def sphere12(x):
    return float(np.sum((np.asarray(x)-0.37)**2))
def alpine6(x):
    z = _sc(x, 0, 10)
    return float(np.sum(np.abs(z*np.sin(z)+0.1*z)))

# A third set (issue 18, input warping): parameters whose declared scale is
# wrong -- what a user who forgets a log scale hands the tuner. lrlin: a
# learning rate declared linear over [1e-5, 1] (optimum 5e-4) with two
# floats, one interacting with it; corner4: four coordinates, each with a
# log-like valley at 0.002; wdecay: two scale parameters declared linear
# (weight decay over [1e-6, 1], a rate over [1e-4, 10]) beside two floats.
def lrlin(x):
    lr = 1e-5 + x[0]*(1-1e-5)
    return (math.log10(lr)+3.3)**2 + 2*(x[1]-0.6)**2 + (x[2]-0.3)**2*(1+abs(math.log10(lr)+3.3))
def corner4(x):
    z = np.log(np.asarray(x)+1e-4) - math.log(0.0021)
    return float(np.sum(z**2))/10
def wdecay(x):
    a = 1e-6 + x[0]; b = 1e-4 + x[1]*10
    return (math.log10(a)+4)**2/4 + (math.log10(b)+1.5)**2/4 + (x[2]-0.7)**2 + 0.3*(x[3]-0.2)**2

FUNCS = {"goldstein": (goldstein,2), "camel": (camel,2), "shekel": (shekel,4),
         "michalewicz5": (michalewicz5,5), "griewank8": (griewank8,8), "rastrigin4": (rastrigin4,4),
         "schwefel4": (schwefel4,4), "powell8": (powell8,8), "dixon6": (dixon6,6),
         "zakharov5": (zakharov5,5), "branin20": (branin20,20), "hart3_10": (hart3_10,10),
         "sumsq6": (sumsq_log,6)}
FUNCS2 = {"ackley2": (ackley,2), "ackley10": (ackley,10), "levy5": (levy5,5), "rosen2": (rosen2,2),
          "styb4": (styb4,4), "beale": (beale,2), "trid6": (trid6,6), "ellip8": (ellip8,8),
          "colville": (colville,4), "shubert": (shubert,2), "dropwave": (dropwave,2),
          "holder": (holder,2), "mccormick": (mccormick,2), "hart6rot": (hart6rot,6),
          "perm4": (perm4,4), "sphere12": (sphere12,12), "alpine6": (alpine6,6)}
FUNCS3 = {"lrlin": (lrlin,3), "corner4": (corner4,4), "wdecay": (wdecay,4)}
FUNCS.update(FUNCS2)
FUNCS.update(FUNCS3)

def run_hpt(f, d, seed, budget, strategy="bayes", opts=None):
    sp = {f"x{i}": hpt.Float(0.0, 1.0) for i in range(d)}
    st = hpt.Study(sp, strategy=strategy, direction="minimize", seed=seed, max_trials=budget)
    for k, v in (opts or {}).items():
        st.set_option(k, v)
    best = math.inf; tr = []
    for _ in range(budget):
        t = st.ask()
        if t is None: break
        x = [t.params[f"x{i}"] for i in range(d)]
        y = f(x); st.tell(t, y); best = min(best, y); tr.append(best)
    return best

def run_optuna(f, d, seed, budget, mv=False):
    import optuna, warnings
    optuna.logging.set_verbosity(optuna.logging.ERROR); warnings.filterwarnings("ignore")
    s = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=mv))
    best = math.inf
    for _ in range(budget):
        t = s.ask(); x = [t.suggest_float(f"x{i}", 0, 1) for i in range(d)]
        y = f(x); s.tell(t, y); best = min(best, y)
    return best

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--funcs", default=",".join(FUNCS)); ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=100); ap.add_argument("--methods", default="bayes,tpe,tpe_mv")
    ap.add_argument("--out", default="build/bench/sweep_functions.json"); ap.add_argument("--seed0", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    res = {}
    try: res = json.load(open(a.out))
    except Exception: pass
    for fn in a.funcs.split(","):
        f, d = FUNCS[fn]
        for m in a.methods.split(","):
            key = f"{fn}|{m}"
            if key in res and len(res[key]) >= a.seeds: continue
            t0 = time.time(); vals = []
            for s in range(a.seed0, a.seed0 + a.seeds):
                if m == "bayes": vals.append(run_hpt(f, d, s, a.budget))
                elif m == "bayes_warp": vals.append(run_hpt(f, d, s, a.budget, opts={"bayes.warp": 1}))
                elif m == "random": vals.append(run_hpt(f, d, s, a.budget, "random"))
                elif m == "tpe": vals.append(run_optuna(f, d, s, a.budget))
                elif m == "tpe_mv": vals.append(run_optuna(f, d, s, a.budget, True))
            res[key] = vals
            json.dump(res, open(a.out, "w"))
            print(f"{fn:14s} {m:7s} median {np.median(vals):.3g} p75 {np.percentile(vals,75):.3g} max {max(vals):.3g}  ({time.time()-t0:.0f}s)", flush=True)

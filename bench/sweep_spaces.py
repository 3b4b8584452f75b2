#!/usr/bin/python3
"""sweep_spaces.py -- bayes on search spaces unlike bench/functions.c's:
a 1-D function (Forrester), log-scaled reals and a log-scaled integer (a
learning-rate-like valley), eight integers, four 5-way categoricals with
two reals, wide log-scaled integers with a categorical, Rosenbrock-10 and
Ackley-20 on the unit cube, a 3-D step function, and a 5-D function with
a broad shallow basin and a narrow deep one. Each has a known minimum
(regret 0). Methods: bayes and random search (sequential), bayes with 8
asks per round (bayes8), and Optuna 3.1's TPE (default, multivariate,
and multivariate with constant liar in rounds of 8: tpe_mv_cl8). Prints
the median, 75th percentile and worst best-so-far regret over the seeds;
results accumulate in --out (a rerun skips what is there).

    HPT_LIBRARY=build/libhpt.so PYTHONPATH=python OPENBLAS_NUM_THREADS=1 \
        /usr/bin/python3 bench/sweep_spaces.py --seeds 10 --out build/bench/sweep_spaces.json \
        [--methods bayes,random,tpe,tpe_mv,bayes8,tpe_mv_cl8] [--probs lrlog,int8]
"""
import argparse, json, math, os, sys, time
import numpy as np
import hpt
F, I, C = "F", "I", "C"
def forrester(p): x=p["x"]; return (6*x-2)**2*math.sin(12*x-4) + 6.020740055767083
def lrlog(p):
    a=math.log10(p["lr"]); b=math.log10(p["wd"]); c=math.log2(p["bs"]); m=p["mom"]
    return (a+2.5)**2 + 0.3*(b+4)**2 + 0.1*(c-6)**2 + 2*(m-0.9)**2 + 0.5*(a+2.5)*(m-0.9)
def int8(p):
    k=np.array([p[f"k{i}"] for i in range(8)],float); t=np.array([3,17,25,8,11,29,0,14],float)
    z=(k-t)/30; return float(np.sum(z**2)+2*(z[0]-z[1])**2)
TAB=np.array([[0.5,0.0,0.9,0.3,0.7],[0.2,0.6,0.0,0.8,0.4],[0.9,0.3,0.5,0.0,0.6],[0.4,0.8,0.7,0.5,0.0]])
def catheavy(p):
    s=sum(TAB[j][p[f"c{j}"]] for j in range(4))
    return float(s + 3*(p["u"]-0.3-0.1*p["c0"])**2 + 3*(p["v"]-0.6)**2)
def ackley20(p):
    z=np.array([p[f"x{i}"] for i in range(20)])*65.536-32.768-3.1
    return float(-20*math.exp(-0.2*math.sqrt(np.mean(z**2)))-math.exp(np.mean(np.cos(2*math.pi*z)))+20+math.e)
def rosen10(p):
    z=np.array([p[f"x{i}"] for i in range(10)])*4-2
    return float(np.sum(100*(z[1:]-z[:-1]**2)**2+(1-z[:-1])**2))
def stepf(p):
    z=np.array([p[f"x{i}"] for i in range(3)])
    return float(np.sum(np.floor(np.abs(z-0.37)*12)))
def needle(p):  # broad shallow basin and a narrow deep one (Hartmann-like)
    z=np.array([p[f"x{i}"] for i in range(5)])
    a=np.array([0.75,0.2,0.8,0.3,0.6]); b=np.array([0.2,0.7,0.3,0.85,0.15])
    return float(2.0 - 1.0*math.exp(-np.sum((z-a)**2)/0.15) - 2.0*math.exp(-np.sum((z-b)**2)/0.03))
def mixedint(p):  # ints with wide ranges on log scale, floats
    return float((math.log(p["n"])-math.log(300))**2 + (p["depth"]-7)**2/10 + (p["f"]-0.25)**2*5 + (0 if p["crit"]==1 else 0.4))
PROBS = {
 "forrester": (forrester, {"x": (F,0,1,False)}, 30),
 "lrlog": (lrlog, {"lr":(F,1e-5,1,True),"wd":(F,1e-6,0.1,True),"bs":(I,16,512,True),"mom":(F,0,0.99,False)}, 60),
 "int8": (int8, {f"k{i}":(I,0,30,False) for i in range(8)}, 100),
 "catheavy": (catheavy, {**{f"c{j}":(C,5) for j in range(4)}, "u":(F,0,1,False), "v":(F,0,1,False)}, 100),
 "ackley20": (ackley20, {f"x{i}":(F,0,1,False) for i in range(20)}, 100),
 "rosen10": (rosen10, {f"x{i}":(F,0,1,False) for i in range(10)}, 100),
 "stepf": (stepf, {f"x{i}":(F,0,1,False) for i in range(3)}, 60),
 "needle": (needle, {f"x{i}":(F,0,1,False) for i in range(5)}, 100),
 "mixedint": (mixedint, {"n":(I,10,5000,True),"depth":(I,1,30,False),"f":(F,0,1,False),"crit":(C,3)}, 60),
}
FMIN = {"needle": 2.0-2.0-1.0*math.exp(-np.sum((np.array([0.75,0.2,0.8,0.3,0.6])-np.array([0.2,0.7,0.3,0.85,0.15]))**2)/0.15)}
FMIN["catheavy"] = 0.0
def hspace(sp):
    out={}
    for k,v in sp.items():
        if v[0]==F: out[k]=hpt.Float(v[1],v[2],log=v[3])
        elif v[0]==I: out[k]=hpt.Int(v[1],v[2],log=v[3])
        else: out[k]=hpt.Categorical(list(range(v[1])))
    return out
def run_hpt(f, sp, seed, budget, strategy):
    st=hpt.Study(hspace(sp), strategy=strategy, direction="minimize", seed=seed, max_trials=budget)
    best=math.inf
    for _ in range(budget):
        t=st.ask()
        if t is None: break
        y=f(t.params); st.tell(t,y); best=min(best,y)
    return best
def run_hpt_batch(f, sp, seed, budget, q=8):
    st=hpt.Study(hspace(sp), strategy="bayes", direction="minimize", seed=seed, max_trials=budget)
    best=math.inf; done=0
    while done<budget:
        ts=[st.ask() for _ in range(min(q,budget-done))]
        ts=[t for t in ts if t is not None]
        if not ts: break
        for t in ts:
            y=f(t.params); st.tell(t,y); best=min(best,y); done+=1
    return best
def run_opt_batch(f, sp, seed, budget, q=8):
    import optuna, warnings
    optuna.logging.set_verbosity(optuna.logging.ERROR); warnings.filterwarnings("ignore")
    s=optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True))
    best=math.inf; done=0
    while done<budget:
        ts=[]
        for _ in range(min(q,budget-done)):
            t=s.ask(); p={}
            for k,v in sp.items():
                if v[0]==F: p[k]=t.suggest_float(k,v[1],v[2],log=v[3])
                elif v[0]==I: p[k]=t.suggest_int(k,v[1],v[2],log=v[3])
                else: p[k]=t.suggest_categorical(k,list(range(v[1])))
            ts.append((t,p))
        for t,p in ts:
            y=f(p); s.tell(t,y); best=min(best,y); done+=1
    return best
def run_opt(f, sp, seed, budget, mv):
    import optuna, warnings
    optuna.logging.set_verbosity(optuna.logging.ERROR); warnings.filterwarnings("ignore")
    s=optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=mv))
    best=math.inf
    for _ in range(budget):
        t=s.ask(); p={}
        for k,v in sp.items():
            if v[0]==F: p[k]=t.suggest_float(k,v[1],v[2],log=v[3])
            elif v[0]==I: p[k]=t.suggest_int(k,v[1],v[2],log=v[3])
            else: p[k]=t.suggest_categorical(k,list(range(v[1])))
        y=f(p); s.tell(t,y); best=min(best,y)
    return best
if __name__=="__main__":
    ap=argparse.ArgumentParser(); ap.add_argument("--probs",default=",".join(PROBS)); ap.add_argument("--seeds",type=int,default=10)
    ap.add_argument("--methods",default="bayes,random,tpe,tpe_mv,bayes8,tpe_mv_cl8"); ap.add_argument("--out",default="build/bench/sweep_spaces.json")
    a=ap.parse_args(); res={}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    try: res=json.load(open(a.out))
    except Exception: pass
    for pn in a.probs.split(","):
        f,sp,b=PROBS[pn]
        for m in a.methods.split(","):
            key=f"{pn}|{m}"
            if key in res: continue
            t0=time.time(); v=[]
            for s in range(a.seeds):
                if m=="bayes8": v.append(run_hpt_batch(f,sp,s,b))
                elif m=="tpe_mv_cl8": v.append(run_opt_batch(f,sp,s,b))
                elif m in("bayes","random"): v.append(run_hpt(f,sp,s,b,m))
                else: v.append(run_opt(f,sp,s,b,m=="tpe_mv"))
            v=[x-FMIN.get(pn,0.0) for x in v]
            res[key]=v; json.dump(res,open(a.out,"w"))
            print(f"{pn:10s} {m:7s} med {np.median(v):.3g} p75 {np.percentile(v,75):.3g} max {max(v):.3g} ({time.time()-t0:.0f}s)",flush=True)

/* space.c -- mpirun -np 3: the coordinator's `space` must be its study's.
 *
 * The study is made over mt_space(). A space that differs in one
 * parameter's bounds, in size, in a scale or in a choice name is refused on
 * every rank (HPT_E_INVALID; the coordinator's message names the
 * difference). An equal space built separately, and NULL (the study's own
 * is used), are accepted; then every rank's hpt_mpi_space is the study's
 * and every value the workers receive lies within the study's bounds. */
#include "mpitest.h"

enum { BOUNDS, SIZE, SCALE, CHOICE, EQUAL, NONE };

static hpt_space *variant(int how)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    static const char *const other[] = {"relu", "tanh", "gelu"};
    hpt_space *sp = NULL;
    MT_OK(hpt_space_create(&sp), NULL);
    MT_OK(hpt_space_add_float(sp, "x", how == BOUNDS ? -1.0 : -2.0, how == BOUNDS ? 3.0 : 2.0,
                              HPT_SCALE_LINEAR), NULL);
    MT_OK(hpt_space_add_float(sp, "lr", 1e-4, 1.0,
                              how == SCALE ? HPT_SCALE_LINEAR : HPT_SCALE_LOG), NULL);
    MT_OK(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR), NULL);
    if (how != SIZE)
        MT_OK(hpt_space_add_categorical(sp, "act", how == CHOICE ? other : acts, 3), NULL);
    return sp;
}

/* Same parameters as the study's space, checked through the public API. */
static void check_is_studys(const hpt_space *got, const hpt_space *want)
{
    MT_CHECK(hpt_space_size(got) == hpt_space_size(want), "size %zu", hpt_space_size(got));
    for (size_t i = 0; i < hpt_space_size(want); i++) {
        int32_t t1, t2, s1, s2;
        double l1, l2, h1, h2;
        size_t c1, c2;
        MT_OK(hpt_space_param_info(got, i, &t1, &s1, &l1, &h1, &c1), NULL);
        MT_OK(hpt_space_param_info(want, i, &t2, &s2, &l2, &h2, &c2), NULL);
        MT_CHECK(t1 == t2 && s1 == s2 && l1 == l2 && h1 == h2 && c1 == c2,
                 "parameter %zu differs", i);
    }
}

static void attempt(int how)
{
    hpt_space *study_sp = mt_space();
    hpt_space *given = mt_rank == 0 && how != NONE ? variant(how) : NULL;
    hpt_study *st = mt_rank == 0 ? mt_study(study_sp, "random", 7, 30) : NULL;
    hpt_mpi *h = NULL;
    int rc = hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, given, &h);
    if (how < EQUAL) {
        MT_CHECK(rc == HPT_E_INVALID && h == NULL, "case %d: create gave %d", how, rc);
        const char *msg = hpt_mpi_errmsg(NULL), *want = "another rank";
        if (mt_rank == 0)
            want = how == SIZE ? "it has 3 parameters, the study's space 4"
                 : how == BOUNDS ? "parameter 0 differs" : how == SCALE
                 ? "parameter 1 differs" : "parameter 3 differs";
        MT_CHECK(strstr(msg, want) != NULL, "case %d: message '%s'", how, msg);
    } else {
        MT_STATUS(rc, HPT_OK, NULL);
        const hpt_space *seen = NULL;
        MT_OK(hpt_mpi_space(h, &seen), h);
        check_is_studys(seen, study_sp);
        if (mt_rank == 0)
            MT_STATUS(hpt_mpi_serve(h), HPT_DONE, h);
        else {
            int64_t id;
            double v[MT_DIM];
            while ((rc = hpt_mpi_ask(h, &id, v, MT_DIM, NULL, NULL)) == HPT_OK) {
                MT_CHECK(v[0] >= -2.0 && v[0] <= 2.0 && v[1] >= 1e-4 && v[1] <= 1.0 &&
                             v[2] >= 1 && v[2] <= 4 && v[3] >= 0 && v[3] <= 2,
                         "trial %lld out of the study's bounds", (long long)id);
                MT_OK(hpt_mpi_tell(h, id, mt_objective(v)), h);
            }
            MT_STATUS(rc, HPT_DONE, h);
        }
    }
    hpt_mpi_destroy(h);
    hpt_study_destroy(st);
    hpt_space_destroy(given);
    hpt_space_destroy(study_sp);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int size;
    MPI_Comm_rank(MPI_COMM_WORLD, &mt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MT_CHECK(size == 3, "run with 3 ranks");
    for (int how = BOUNDS; how <= NONE; how++)
        attempt(how);
    if (mt_rank == 0)
        printf("space: other bounds, size, scale or choices refused on every rank; an equal "
               "space or NULL serve the study's space\n");
    MPI_Finalize();
    return 0;
}

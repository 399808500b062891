/* The BLAS/LAPACK shim: OpenBLAS from the scipy-openblas32 wheel exports every
 * symbol with a `scipy_` prefix and 32-bit integers.  Core code calls the pmc_*
 * names below so that the prefix lives in one place. */
#ifndef PMC_BLAS_H
#define PMC_BLAS_H

#include <cblas.h>

typedef int pmc_blas_int;

#define pmc_cblas_dsyrk scipy_cblas_dsyrk
#define pmc_cblas_dgemm scipy_cblas_dgemm
#define pmc_cblas_dgemv scipy_cblas_dgemv
#define pmc_cblas_sgemm scipy_cblas_sgemm
#define pmc_cblas_sgemv scipy_cblas_sgemv
#define pmc_cblas_ddot scipy_cblas_ddot
#define pmc_cblas_daxpy scipy_cblas_daxpy
#define pmc_cblas_dscal scipy_cblas_dscal
#define pmc_cblas_dnrm2 scipy_cblas_dnrm2

/* LAPACK (Fortran interface, column-major). */
void scipy_dpotrf_(const char *uplo, const pmc_blas_int *n, double *a, const pmc_blas_int *lda,
                   pmc_blas_int *info, size_t uplo_len);
void scipy_dpotrs_(const char *uplo, const pmc_blas_int *n, const pmc_blas_int *nrhs,
                   const double *a, const pmc_blas_int *lda, double *b, const pmc_blas_int *ldb,
                   pmc_blas_int *info, size_t uplo_len);
void scipy_dsyevd_(const char *jobz, const char *uplo, const pmc_blas_int *n, double *a,
                   const pmc_blas_int *lda, double *w, double *work, const pmc_blas_int *lwork,
                   pmc_blas_int *iwork, const pmc_blas_int *liwork, pmc_blas_int *info,
                   size_t jobz_len, size_t uplo_len);
void scipy_dgeqrf_(const pmc_blas_int *m, const pmc_blas_int *n, double *a,
                   const pmc_blas_int *lda, double *tau, double *work, const pmc_blas_int *lwork,
                   pmc_blas_int *info);
void scipy_dgesdd_(const char *jobz, const pmc_blas_int *m, const pmc_blas_int *n, double *a,
                   const pmc_blas_int *lda, double *s, double *u, const pmc_blas_int *ldu,
                   double *vt, const pmc_blas_int *ldvt, double *work, const pmc_blas_int *lwork,
                   pmc_blas_int *iwork, pmc_blas_int *info, size_t jobz_len);

/* Least squares (LinearRegression, Ridge): triangular solve, incremental tall-skinny
 * QR, min-norm least squares. */
#define pmc_cblas_dtrsm scipy_cblas_dtrsm
void scipy_dtpqrt_(const pmc_blas_int *m, const pmc_blas_int *n, const pmc_blas_int *l,
                   const pmc_blas_int *nb, double *a, const pmc_blas_int *lda, double *b,
                   const pmc_blas_int *ldb, double *t, const pmc_blas_int *ldt, double *work,
                   pmc_blas_int *info);
void scipy_dgelsd_(const pmc_blas_int *m, const pmc_blas_int *n, const pmc_blas_int *nrhs,
                   double *a, const pmc_blas_int *lda, double *b, const pmc_blas_int *ldb,
                   double *s, const double *rcond, pmc_blas_int *rank, double *work,
                   const pmc_blas_int *lwork, pmc_blas_int *iwork, pmc_blas_int *info);

#endif

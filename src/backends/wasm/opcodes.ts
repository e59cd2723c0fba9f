// Numeric codes shared by the TypeScript host and the AssemblyScript kernels (assembly/*.ts import
// this file too, so it must stay plain `export const NAME = <integer literal>;` lines that both
// compilers accept). The host maps op names to these codes in a typed table, so a new op in
// backend.ts is a compile error in the host until it gets a code here and a kernel in assembly/.

// dtypes (element sizes 4, 8, 4, 1 bytes)
export const DT_F32 = 0;
export const DT_F64 = 1;
export const DT_I32 = 2;
export const DT_BOOL = 3;

// unary
export const U_NEG = 0;
export const U_EXP = 1;
export const U_EXPM1 = 2;
export const U_LOG = 3;
export const U_LOG1P = 4;
export const U_SQRT = 5;
export const U_RSQRT = 6;
export const U_ABS = 7;
export const U_SIGN = 8;
export const U_RECIPROCAL = 9;
export const U_SIN = 10;
export const U_COS = 11;
export const U_TANH = 12;
export const U_SIGMOID = 13;
export const U_RELU = 14;
export const U_FLOOR = 15;
export const U_CEIL = 16;
export const U_ROUND = 17;
export const U_TRUNC = 18;
export const U_ERF = 19;
// predicates (bool output)
export const U_ISNAN = 20;
export const U_ISFINITE = 21;
export const U_LOGICAL_NOT = 22;
export const U_GELU = 23;
export const U_GELU_GRAD = 24;
export const U_SILU = 25;
export const U_SILU_GRAD = 26;
export const U_TAN = 27;
export const U_ASIN = 28;
export const U_ACOS = 29;
export const U_ATAN = 30;
export const U_SINH = 31;
export const U_COSH = 32;
export const U_ASINH = 33;
export const U_ACOSH = 34;
export const U_ATANH = 35;
export const U_LOG2 = 36;
export const U_LOG10 = 37;
export const U_EXP2 = 38;
export const U_ERFC = 39;
export const U_ERFINV = 40;
export const U_LGAMMA = 41;
export const U_DIGAMMA = 42;
export const U_TRIGAMMA = 43;

// binary arithmetic (output dtype = input dtype)
export const B_ADD = 0;
export const B_SUB = 1;
export const B_MUL = 2;
export const B_DIV = 3;
export const B_POW = 4;
export const B_MAXIMUM = 5;
export const B_MINIMUM = 6;
export const B_FLOOR_DIV = 7;
export const B_REMAINDER = 8;
// comparisons and logic (bool output)
export const B_EQ = 9;
export const B_NE = 10;
export const B_LT = 11;
export const B_LE = 12;
export const B_GT = 13;
export const B_GE = 14;
export const B_AND = 15;
export const B_OR = 16;
export const B_XOR = 17;
// binary arithmetic again (numbered after the comparisons)
export const B_ATAN2 = 18;
export const B_HYPOT = 19;
export const B_FMOD = 20;
export const B_ZETA = 21;

// reductions
export const R_SUM = 0;
export const R_PROD = 1;
export const R_MAX = 2;
export const R_MIN = 3;
export const R_ARGMAX = 4;
export const R_ARGMIN = 5;
export const R_ANY = 6;
export const R_ALL = 7;

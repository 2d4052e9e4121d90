//go:build amd64 && !purego

#include "textflag.h"

// func axpy8AVX2(a float32, q *int8, y *float32, n int)
//
// 16 lanes a step, then 8, then 4, then one at a time: the whole row is
// done here, since widening a lone byte in Go costs more than the loop.
TEXT ·axpy8AVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ q+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX

loop16:
	CMPQ        CX, $16
	JLT         tail8
	VPMOVSXBD   (SI), Y1     // 8 int8 -> 8 int32
	VPMOVSXBD   8(SI), Y2
	VCVTDQ2PS   Y1, Y1       // -> 8 float32
	VCVTDQ2PS   Y2, Y2
	VFMADD213PS (DI), Y0, Y1 // Y1 = a*Y1 + y[i:i+8]
	VFMADD213PS 32(DI), Y0, Y2
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	ADDQ        $16, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         loop16

tail8:
	CMPQ        CX, $8
	JLT         tail4
	VPMOVSXBD   (SI), Y1
	VCVTDQ2PS   Y1, Y1
	VFMADD213PS (DI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $8, SI
	ADDQ        $32, DI
	SUBQ        $8, CX

tail4:
	CMPQ        CX, $4
	JLT         tail1
	VPMOVSXBD   (SI), X1     // 4 int8 -> 4 int32
	VCVTDQ2PS   X1, X1
	VFMADD213PS (DI), X0, X1
	VMOVUPS     X1, (DI)
	ADDQ        $4, SI
	ADDQ        $16, DI
	SUBQ        $4, CX

tail1:
	TESTQ       CX, CX
	JZ          done
	MOVBLSX     (SI), AX
	VCVTSI2SSL  AX, X1, X1
	VFMADD213SS (DI), X0, X1
	VMOVSS      X1, (DI)
	INCQ        SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         tail1

done:
	VZEROUPPER
	RET

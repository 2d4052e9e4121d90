//go:build amd64 && !purego

#include "textflag.h"

// func axpyAVX2(a float32, x, y *float32, n int)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Y0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS     (DI), Y1
	VFMADD231PS (SI), Y0, Y1 // Y1 += Y0 * x[i:i+8]
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         loop

done:
	VZEROUPPER
	RET

// func dotBlockAVX2(w *float32, idx *int32, val *float32, n int, out *[16]float32)
// Two sets of accumulators (even and odd entries) halve the dependency
// chains of the fused multiply-adds.
TEXT ·dotBlockAVX2(SB), NOSPLIT, $0-40
	MOVQ   w+0(FP), DI
	MOVQ   idx+8(FP), SI
	MOVQ   val+16(FP), DX
	MOVQ   n+24(FP), CX
	MOVQ   out+32(FP), R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	MOVQ   CX, R9
	SHRQ   $1, R9
	JZ     dbtail

dbloop:
	MOVLQSX      (SI), AX
	MOVLQSX      4(SI), BX
	SHLQ         $6, AX
	SHLQ         $6, BX
	VBROADCASTSS (DX), Y2
	VBROADCASTSS 4(DX), Y5
	VFMADD231PS  (DI)(AX*1), Y2, Y0
	VFMADD231PS  32(DI)(AX*1), Y2, Y1
	VFMADD231PS  (DI)(BX*1), Y5, Y3
	VFMADD231PS  32(DI)(BX*1), Y5, Y4
	ADDQ         $8, SI
	ADDQ         $8, DX
	DECQ         R9
	JNZ          dbloop

dbtail:
	ANDQ         $1, CX
	JZ           dbdone
	MOVLQSX      (SI), AX
	SHLQ         $6, AX
	VBROADCASTSS (DX), Y2
	VFMADD231PS  (DI)(AX*1), Y2, Y0
	VFMADD231PS  32(DI)(AX*1), Y2, Y1

dbdone:
	VADDPS  Y3, Y0, Y0
	VADDPS  Y4, Y1, Y1
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	VZEROUPPER
	RET

// func axpyBlockAVX2(w *float32, idx *int32, val *float32, n int, d *[16]float32)
TEXT ·axpyBlockAVX2(SB), NOSPLIT, $0-40
	MOVQ    w+0(FP), DI
	MOVQ    idx+8(FP), SI
	MOVQ    val+16(FP), DX
	MOVQ    n+24(FP), CX
	MOVQ    d+32(FP), R8
	VMOVUPS (R8), Y3
	VMOVUPS 32(R8), Y4

abloop:
	MOVLQSX      (SI), AX
	SHLQ         $6, AX
	VBROADCASTSS (DX), Y2
	VMOVUPS      (DI)(AX*1), Y0
	VMOVUPS      32(DI)(AX*1), Y1
	VFMADD231PS  Y3, Y2, Y0
	VFMADD231PS  Y4, Y2, Y1
	VMOVUPS      Y0, (DI)(AX*1)
	VMOVUPS      Y1, 32(DI)(AX*1)
	ADDQ         $4, SI
	ADDQ         $4, DX
	DECQ         CX
	JNZ          abloop

	VZEROUPPER
	RET

// func dotBlock16AVX2(w *float32, idx *uint16, val *float32, n int, out *[16]float32)
TEXT ·dotBlock16AVX2(SB), NOSPLIT, $0-40
	MOVQ   w+0(FP), DI
	MOVQ   idx+8(FP), SI
	MOVQ   val+16(FP), DX
	MOVQ   n+24(FP), CX
	MOVQ   out+32(FP), R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	MOVQ   CX, R9
	SHRQ   $1, R9
	JZ     d16tail

d16loop:
	MOVWQZX      (SI), AX
	MOVWQZX      2(SI), BX
	SHLQ         $6, AX
	SHLQ         $6, BX
	VBROADCASTSS (DX), Y2
	VBROADCASTSS 4(DX), Y5
	VFMADD231PS  (DI)(AX*1), Y2, Y0
	VFMADD231PS  32(DI)(AX*1), Y2, Y1
	VFMADD231PS  (DI)(BX*1), Y5, Y3
	VFMADD231PS  32(DI)(BX*1), Y5, Y4
	ADDQ         $4, SI
	ADDQ         $8, DX
	DECQ         R9
	JNZ          d16loop

d16tail:
	ANDQ         $1, CX
	JZ           d16done
	MOVWQZX      (SI), AX
	SHLQ         $6, AX
	VBROADCASTSS (DX), Y2
	VFMADD231PS  (DI)(AX*1), Y2, Y0
	VFMADD231PS  32(DI)(AX*1), Y2, Y1

d16done:
	VADDPS  Y3, Y0, Y0
	VADDPS  Y4, Y1, Y1
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	VZEROUPPER
	RET

// func axpyBlock16AVX2(w *float32, idx *uint16, val *float32, n int, d *[16]float32)
TEXT ·axpyBlock16AVX2(SB), NOSPLIT, $0-40
	MOVQ    w+0(FP), DI
	MOVQ    idx+8(FP), SI
	MOVQ    val+16(FP), DX
	MOVQ    n+24(FP), CX
	MOVQ    d+32(FP), R8
	VMOVUPS (R8), Y3
	VMOVUPS 32(R8), Y4

a16loop:
	MOVWQZX      (SI), AX
	SHLQ         $6, AX
	VBROADCASTSS (DX), Y2
	VMOVUPS      (DI)(AX*1), Y0
	VMOVUPS      32(DI)(AX*1), Y1
	VFMADD231PS  Y3, Y2, Y0
	VFMADD231PS  Y4, Y2, Y1
	VMOVUPS      Y0, (DI)(AX*1)
	VMOVUPS      Y1, 32(DI)(AX*1)
	ADDQ         $2, SI
	ADDQ         $4, DX
	DECQ         CX
	JNZ          a16loop

	VZEROUPPER
	RET

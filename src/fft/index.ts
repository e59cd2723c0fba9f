/**
 * `fft`: PyTorch's `torch.fft` namespace (`import { fft } from "tensile"`, `fft.rfft(x)`), under
 * PyTorch's names. Complex values use torch.view_as_real's layout (a trailing dim of 2); see
 * docs/fft.md and ops/fft.ts.
 */
export {
  fft, ifft, rfft, irfft, hfft, ihfft, fft2, ifft2, rfft2, irfft2, fftn, ifftn, rfftn, irfftn,
  hfft2, ihfft2, hfftn, ihfftn,
  fftfreq, rfftfreq, fftshift, ifftshift,
} from "../ops/fft.js";
export type { FftNorm, FftOptions, FftFreqOptions } from "../ops/fft.js";

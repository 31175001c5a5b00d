import { extremumGrad } from './extremum.js';

/** The gradient goes to the maximal elements, split evenly among ties. */
export const maxGrad = extremumGrad<'max'>();

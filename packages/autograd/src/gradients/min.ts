import { extremumGrad } from './extremum.js';

/** The gradient goes to the minimal elements, split evenly among ties. */
export const minGrad = extremumGrad<'min'>();

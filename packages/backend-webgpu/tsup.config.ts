import { gatedTsup } from '@gated/build-config/tsup';

export default gatedTsup();

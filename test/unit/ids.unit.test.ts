import { expect } from 'chai';
import { deterministicUuid } from '../../src/lib/ids';

describe('deterministicUuid (UUID v5 in the backbone namespace)', () => {
  // ids already stored were made by createHash over the namespace and the name: the one-shot hash,
  // and the long names that do not fit its buffer, must give exactly those ids
  it('gives the ids it gave before, for names that fit its buffer and names that do not', () => {
    expect(deterministicUuid('device:energy:M001:1764050400000|machine-M001|0')).to.equal(
      '89d05f34-8e42-5619-838e-3500cdbc0086',
    );
    // 336 three-byte characters fill the buffer after the namespace exactly; one more goes the long way
    expect(deterministicUuid('€'.repeat(336))).to.equal('a208e738-60af-569d-929e-14d1221743b5');
    expect(deterministicUuid('€'.repeat(337))).to.equal('244538f1-418e-51b7-8eed-f002f722a74a');
    expect(deterministicUuid('x'.repeat(5000))).to.equal('4d95807e-bc98-57ef-b043-576545f70318');
  });

  it('does not carry one name into the next (a shorter name after a longer)', () => {
    const short = deterministicUuid('device:energy:M001:1764050400000|machine-M001|0');
    deterministicUuid('x'.repeat(300));
    expect(deterministicUuid('device:energy:M001:1764050400000|machine-M001|0')).to.equal(short);
  });
});

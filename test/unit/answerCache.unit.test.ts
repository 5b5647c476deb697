import { expect } from 'chai';
import { createAnswerCache } from '../../src/projections/answerCache';

describe('answer cache: answers kept while the read model they come from holds', () => {
  const counting = () => {
    let computed = 0;
    return {
      get computed() {
        return computed;
      },
      compute: (answer: unknown) => () => {
        computed += 1;
        return Promise.resolve(answer);
      },
    };
  };

  it('computes once per version and again when the version moves', async () => {
    const cache = createAnswerCache();
    let version = 'oee_v2#10';
    const at = () => Promise.resolve(version);
    const work = counting();
    expect(await cache.get('k', at, work.compute({ oee: 0.5 }))).to.deep.equal({ oee: 0.5 });
    expect(await cache.get('k', at, work.compute({ oee: 0.9 }))).to.deep.equal({ oee: 0.5 });
    expect(work.computed).to.equal(1);
    version = 'oee_v2#11';
    expect(await cache.get('k', at, work.compute({ oee: 0.9 }))).to.deep.equal({ oee: 0.9 });
    expect(work.computed).to.equal(2);
  });

  it('keeps nothing computed while the version moved, nor without a version, nor what is not to be kept', async () => {
    const cache = createAnswerCache();
    let version = 1;
    // the read model moves while the answer is computed: that answer is not kept for the version before
    const moving = () => Promise.resolve(`v#${version}`);
    await cache.get('a', moving, () => {
      version += 1;
      return Promise.resolve('mixed');
    });
    expect(await cache.get('a', moving, () => Promise.resolve('fresh'))).to.equal('fresh');
    await cache.get(
      'b',
      () => Promise.resolve(undefined),
      () => Promise.resolve('x'),
    );
    await cache.get('c', moving, () => Promise.resolve('now'), false);
    expect(
      await cache.get(
        'b',
        () => Promise.resolve(undefined),
        () => Promise.resolve('y'),
      ),
    ).to.equal('y');
    expect(await cache.get('c', moving, () => Promise.resolve('later'), false)).to.equal('later');
    expect(cache.size).to.equal(1);
  });

  it('gives out answers no caller can change, and drops the least recently used past its size', async () => {
    const cache = createAnswerCache(2);
    const at = () => Promise.resolve('v#1');
    const answer = await cache.get('a', at, () => Promise.resolve([{ oee: 0.5 }]));
    expect(() => {
      (answer[0] as { oee: number }).oee = 1;
    }).to.throw(TypeError);
    await cache.get('b', at, () => Promise.resolve('b'));
    await cache.get('a', at, () => Promise.resolve('not again'));
    await cache.get('c', at, () => Promise.resolve('c'));
    expect(await cache.get('b', at, () => Promise.resolve('b again'))).to.equal('b again');
    expect(await cache.get('a', at, () => Promise.resolve('a again'))).to.equal('a again');
    expect(cache.size).to.equal(2);
  });
});

/** The quadrant model: severity of each condition decides who leads (P21 §8.2–§8.8). */
import type { AgencyKind, MentalHealthSeverity, Quadrant } from './vocab.ts';

/** R-LEAD-QUADRANT: high mental health means `severe`; high substance misuse means `dependent`. */
export function quadrantOf(mentalHealth: MentalHealthSeverity, substanceUse: { dependent: boolean }): Quadrant {
  const highMh = mentalHealth === 'severe';
  const highSu = substanceUse.dependent;
  if (highMh && highSu) return 'Q1';
  if (highMh) return 'Q2';
  if (highSu) return 'Q3';
  return 'Q4';
}

const leadByQuadrant: Record<Quadrant, AgencyKind> = { Q1: 'MHS', Q2: 'MHS', Q3: 'SMS', Q4: 'PRIMARY' };
const supportByQuadrant: Record<Quadrant, readonly AgencyKind[]> = {
  Q1: ['SMS', 'ASC'],
  Q2: ['SMS'],
  Q3: ['IAPT', 'PRIMARY'],
  Q4: ['SMS', 'WRAPAROUND', 'IAPT'],
};

export const leadAgencyFor = (quadrant: Quadrant): AgencyKind => leadByQuadrant[quadrant];
export const supportAgenciesFor = (quadrant: Quadrant): readonly AgencyKind[] => supportByQuadrant[quadrant];

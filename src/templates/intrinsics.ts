import type { CfnValue } from './types';

export const ref = (logicalId: string): CfnValue => ({ Ref: logicalId });

export const getAtt = (logicalId: string, attribute: string): CfnValue => ({
  'Fn::GetAtt': [logicalId, attribute],
});

export const join = (delimiter: string, values: CfnValue[]): CfnValue => ({
  'Fn::Join': [delimiter, values],
});

export const sub = (template: string): CfnValue => ({ 'Fn::Sub': template });

/** The n-th availability zone of the stack's region. */
export const availabilityZone = (index: number): CfnValue => ({
  'Fn::Select': [index, { 'Fn::GetAZs': '' }],
});

export const REGION: CfnValue = { Ref: 'AWS::Region' };
